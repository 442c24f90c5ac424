"""``junto trace RUN --html FILE`` rendered in real headless Chromium (installed by scripts/ensure-chromium.sh).

A three-task run (FunctionModels, a local stand-in sandbox) is traced to HTML
through the CLI; Chromium loads the file, the DOM it built is read back
(``--dump-dom``) and a screenshot is taken. The README shows that screenshot,
docs/trace.png; the test writes it there when ``JUNTO_UPDATE_DOCS=1`` is set
(otherwise into its temporary folder, so a test run leaves the tree clean).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from junto._runs import RunRecord
from junto.cli import main
from tests.fixtures.traced_run import traced_run

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "trace.png"
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


def _chromium() -> str:
    for name in (os.environ.get("JUNTO_CHROMIUM", ""), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise AssertionError("Chromium is not installed: run scripts/ensure-chromium.sh (make test does)")


def _headless(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",  # tests run as root in CI
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


class _Dom(HTMLParser):
    """What the rendered DOM holds: elements by tag and class, the text of each task section."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.task_sections: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "section" and "task" in attributes.get("class", "").split():
            self.task_sections.append(attributes.get("data-task", ""))
        self._in_title = tag == "title" and not self.title  # the document's, not an SVG element's tooltip

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data

    def having(self, tag: str, css_class: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and css_class in a.get("class", "").split()]


def _html_of_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: str | None = None) -> tuple[RunRecord, Path]:
    monkeypatch.setenv("JUNTO_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no ./junto.toml
    record = asyncio.run(traced_run(tmp_path, **({"request": request} if request else {})))
    page = tmp_path / "trace.html"
    return record, page


def _write_html(record: RunRecord, page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", record.run_id, "--html", str(page)]) == 0
    assert f"wrote {page}" in capsys.readouterr().out


def test_the_html_trace_shows_tasks_checks_and_model_calls_in_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record, page = _html_of_a_run(tmp_path, monkeypatch)
    _write_html(record, page, capsys)
    source = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", source), "the page must fetch nothing"

    dumped = _headless(tmp_path, "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = _Dom()
    dom.feed(dumped.stdout)
    text = " ".join(dom.text)

    assert dom.task_sections == ["product", "double", "explain"]  # every task, in plan order
    plan_nodes = {a["data-task"] for a in dom.having("g", "node")}
    timeline_rows = [a["data-task"] for a in dom.having("g", "row") if a["data-task"]]
    assert plan_nodes == {"product", "double", "explain"}
    assert timeline_rows == ["product", "double", "explain"]
    assert dom.having("path", "flow"), "the timeline draws the dataflow"
    assert len(dom.having("rect", "candidate")) == 4  # every candidate on the timeline: 2 math, 1 code, 1 writing
    assert "explain waited for product" in text and "explain waited for double" in text
    # the math task's two candidates: a failed then a passed check, each with its spec and evidence
    assert "the answer 89 is not the value of the instruction's expression" in text
    assert "the answer 119 equals sympy's value" in text
    assert len(dom.having("li", "fail")) >= 1 and len(dom.having("li", "pass")) >= 2
    assert "spec: instruction" in text and "spec: model" in text
    # the code task was checked by running it in the sandbox
    assert "examples" in text
    # one row per model call: planner, two math candidates, code, writing, aggregator
    call_rows = dumped.stdout.count("<tr><td>")
    assert call_rows == 6, call_rows
    for model in ("planner-fn", "math-fn", "code-fn", "writer-fn", "agg-fn"):
        assert model in text
    assert dom.title == f"junto run {record.run_id}"

    screenshot = SCREENSHOT if os.environ.get("JUNTO_UPDATE_DOCS") == "1" else tmp_path / "trace.png"
    screenshot.parent.mkdir(exist_ok=True)
    shot = _headless(tmp_path, "--window-size=1100,1500", f"--screenshot={screenshot}", page.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    from PIL import Image

    with Image.open(screenshot) as image:
        assert image.size == (1100, 1500)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 200, "the screenshot is blank"
    assert any(abs(r - 0x1A) + abs(g - 0x7F) + abs(b - 0x37) < 12 for _, (r, g, b) in colours), "no verified-green"


def test_task_text_is_escaped_and_never_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record, page = _html_of_a_run(tmp_path, monkeypatch, request="Evaluate 7*(12 + 5). " + HOSTILE)
    _write_html(record, page, capsys)
    dumped = _headless(tmp_path, "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = _Dom()
    dom.feed(dumped.stdout)
    assert dom.title == f"junto run {record.run_id}"  # the injected script did not run
    assert not [a for t, a in dom.tags if t == "img"]  # nor did the injected element appear
    assert HOSTILE in " ".join(dom.text)  # it is shown as the text it is
