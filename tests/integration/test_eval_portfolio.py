"""`junto eval SUITE --models a,b` end to end: the embedded model in-process and the same model over HTTP.

The HTTP model has its own temperature and system prompt (``junto.toml``),
so the two differ as two configurations of one model would. They answer at
once (``--concurrency 2``): one in this process, one in the llama.cpp
server's.
"""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path

import pytest
from junto.graphs._store import open_store

from junto import _events as ev
from junto.cli import main

pytestmark = [pytest.mark.model, pytest.mark.slow]

SUITE = [
    {
        "id": "w1",
        "category": "writing",
        "prompt": "In one sentence of at most 30 words, say what a cat is.",
        "parts": [{"type": "text", "constraints": {"max_words": 30}}],
    },
    {"id": "m1", "category": "math", "prompt": "What is 2 + 3?", "parts": [{"type": "math", "expected": "5"}]},
]
PROMPT = "You are a careful assistant. Keep every answer short."


async def _model_calls(store: Path) -> list[ev.ModelCalled]:
    async with open_store(store) as runs:
        records = [await runs.get_run(summary.run_id) for summary in await runs.list_runs(limit=100)]
    return [e for record in records if record is not None for e in record.events if isinstance(e, ev.ModelCalled)]


def test_two_models_compared_per_domain_with_a_recommended_roles_section(
    tmp_path: Path, llama_server: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suite.jsonl").write_text("".join(json.dumps(item) + "\n" for item in SUITE))
    (tmp_path / "junto.toml").write_text(
        f'[models.http]\nprovider = "openai"\nbase_url = "{llama_server}"\nmodel = "smollm"\ntimeout_s = 120\n'
        f'temperature = 0.3\nsystem_prompt = "{PROMPT}"\n'
    )
    code = main(
        ["eval", "suite.jsonl", "--models", "local,http", "--limit", "1", "--out", "out", "--target", "0.5", "--concurrency", "2"]
    )
    assert code == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| writing |")]
    assert [row.split("|")[2].strip() for row in rows] == ["local", "http"]  # one row per model on the domain run
    outcomes = [json.loads(line) for line in (tmp_path / "out" / "outcomes.jsonl").read_text().splitlines()]
    assert sorted(o["system"] for o in outcomes) == ["http", "local"] and all(o["error"] is None for o in outcomes)
    roles = tomllib.loads((tmp_path / "out" / "roles.toml").read_text())["roles"]
    assert set(roles) == {"writing"} and set(roles["writing"]) <= {"local", "http"} and roles["writing"]
    assert (tmp_path / "out" / "portfolio.png").stat().st_size > 10_000
    assert "[roles]" in out
    calls = asyncio.run(_model_calls(tmp_path / "out" / "runs.db"))
    local, http = ([c for c in calls if c.model == name] for name in ("local", "http"))
    assert {c.temperature for c in local} == {0.0} and {c.temperature for c in http} == {0.3}
    # The first call of each asks the same thing; the HTTP model's system prompt made it longer
    first_local, first_http = (next(c for c in calls if c.attempt == 1) for calls in (local, http))
    assert first_http.prompt_tokens - first_local.prompt_tokens >= 8, (first_local, first_http)
