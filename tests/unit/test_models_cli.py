"""``junto models``: path, list and test, as a user runs them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from junto.cli import main
from junto.models import gguf_path


class _OpenAIStub(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self._json({"object": "list", "data": [{"id": "stub"}]})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["content-length"]))
        self._json(
            {
                "choices": [{"message": {"role": "assistant", "content": "red, green, blue"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 6},
            }
        )

    def _json(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def stub_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenAIStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(tmp_path: Path, stub_url: str) -> Path:
    path = tmp_path / "junto.toml"
    path.write_text(
        f'[models.stub]\nbase_url = "{stub_url}"\nmodel = "stub"\n'
        '[models.dead]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "x"\n'
        '[roles]\nplanner = ["stub", "dead"]\n'
    )
    return path


def test_path_prints_the_gguf(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(gguf_path())


def test_list_shows_roles_and_reachability(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "stub, dead" in out
    stub_row = next(line for line in out.splitlines() if line.startswith("│ stub "))
    dead_row = next(line for line in out.splitlines() if line.startswith("│ dead "))
    assert "ok" in stub_row and "unreachable" in dead_row


def test_test_reports_tokens_and_speed(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "test", "stub", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "red, green, blue" in out
    assert "11 in / 6 out" in out and "tokens/s" in out


def test_missing_config_file_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
