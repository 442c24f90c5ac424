"""`junto models list --server`: the live deployment state of a real `junto serve`, whose model runs on two stub servers.

Runs go through the server; the counts it reports are checked against what
each stub server says it served. Then one stub is killed: the next request
sent to it fails over to the other, and the server's state shows it down.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.fixtures.openai_stub import StubServer
from tests.fixtures.serve import finished_run, junto_serve

pytestmark = [pytest.mark.slow]

REPLY = "Rayleigh scattering makes the daytime sky look blue."
KEY = "stub-deployment-secret-7f3a9c"
GRAPH = {"tasks": [{"id": "sky", "kind": "writing", "instruction": "Explain why the sky is blue in one sentence."}]}


def _listed(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, list[str]]]:
    """``junto models list --server URL``: its output, and each deployment's row as cells."""
    from junto.cli import main

    assert main(["models", "list", "--server", url]) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) == 10 and cells[0] == "writer":
            rows[cells[1]] = cells
    return out, rows


def test_models_list_shows_the_servers_live_deployments_and_a_killed_one_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.delenv("JUNTO_API_KEY", raising=False)
    stubs = [StubServer(delay=0.05, concurrency=2, reply=REPLY, name=f"s{i}").start() for i in range(2)]
    try:
        config = tmp_path / "junto.toml"
        config.write_text(
            '[models.writer]\nmodel = "stub"\nconcurrency = 2\nstrategy = "least_busy"\n'
            "health = { cooldown_s = 30, max_cooldown_s = 60 }\n"
            "deployments = [\n"
            f'  {{ base_url = "{stubs[0].base_url}", name = "s0" }},\n'
            f'  {{ base_url = "{stubs[1].base_url}", name = "s1", api_key_env = "STUB_DEPLOYMENT_KEY" }},\n'
            "]\n"
        )
        with junto_serve(config, tmp_path / "home", env={"STUB_DEPLOYMENT_KEY": KEY}) as url:
            before = [finished_run(url, {"graph": GRAPH})["status"] for _ in range(4)]
            served = [stub.stats()["served"] for stub in stubs]
            out, rows = _listed(url, capsys)
            assert f"live state of the junto server at {url}" in out
            # model, deployment, base URL, state, in flight, latency, calls, errors, strategy, last error
            assert rows["s0"][:4] == ["writer", "s0", stubs[0].base_url, "healthy"]
            assert rows["s1"][:4] == ["writer", "s1", stubs[1].base_url, "healthy"]
            assert [rows[name][6] for name in ("s0", "s1")] == [str(n) for n in served]  # the calls each stub served
            assert all(n >= 1 for n in served) and rows["s0"][7] == rows["s1"][7] == "0"
            assert [rows[name][4] for name in ("s0", "s1")] == ["0/2", "0/2"] and rows["s0"][8] == "least_busy"

            stubs[1].kill()
            after = []
            for _ in range(4):  # least_busy alternates: the next request or the one after goes to s1, and fails over
                after.append(finished_run(url, {"graph": GRAPH})["status"])
                state = httpx.get(f"{url}/v1/deployments", timeout=30)
                if {d["name"]: d["state"] for d in state.json()["models"][0]["deployments"]}["s1"] != "healthy":
                    break
            assert set(after) <= set(before)  # the dead deployment cost no run anything
            out, rows = _listed(url, capsys)
            assert rows["s1"][3] == "down" and rows["s1"][9].startswith("ModelConnectionError")
            assert int(rows["s1"][7]) >= 1 and int(rows["s1"][6]) == served[1] + int(rows["s1"][7])
            assert rows["s0"][3] == "healthy" and rows["s0"][6] == str(stubs[0].stats()["served"])
            assert KEY not in state.text and KEY not in out
    finally:
        for stub in stubs:
            stub.stop()
