"""Batches without Ray: the batch file, the results file, and the pool's placement and node-loss retries (fake workers)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from junto._config import Engine, JuntoConfig
from junto._exceptions import ConfigError, MissingDependencyError, RunError
from junto._runs import RunResult
from junto.cli._app import _ray_without_address
from junto.scale import (
    BatchItem,
    BatchLine,
    Need,
    NodeLost,
    Pool,
    read_batch,
    run_batch,
    run_id_for,
    serve_deployment,
    uses_local_model,
)


class FakeWorker:
    """A node that records what it ran; ``lose`` makes its next run fail as a lost node."""

    def __init__(self, name: str, *, slots: int = 1, offers: frozenset[Need] = frozenset(), lose: int = 0) -> None:
        self.name, self.slots, self.offers, self.lose = name, slots, offers, lose
        self.ran: list[str] = []
        self.running = 0
        self.most = 0

    async def run(self, item: BatchItem, run_id: str) -> BatchLine:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.01)
            if self.lose:
                self.lose -= 1
                raise NodeLost(self.name, "killed")
            self.ran.append(item.id)
            return BatchLine(id=item.id, run_id=run_id, status="verified", node=self.name)
        finally:
            self.running -= 1

    async def run_task(self, task: str, run_id: str) -> RunResult:
        return RunResult(run_id=run_id, task=task)

    async def close(self) -> None:
        return None


def _items(count: int) -> list[BatchItem]:
    return [BatchItem(id=f"i{n}", task=f"task {n}") for n in range(count)]


def test_batch_file_lines_are_items_and_bad_lines_are_named(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"task": "a"}\n\n{"id": "g", "graph": "pkg.mod:graph", "session": "s"}\n')
    assert [(i.id, i.task, i.graph) for i in read_batch(good)] == [("1", "a", None), ("g", None, "pkg.mod:graph")]
    for text, words in [
        ('{"id": "x"}\n', "exactly one of"),
        ('{"id": "x", "task": "a", "graph": "m:g"}\n', "exactly one of"),
        ('{"id": "x", "graph": "nocolon"}\n', "module:attribute"),
        ('{"id": "x", "task": "a"}\n{"id": "x", "task": "b"}\n', "used twice"),
        ('{"id": "x", "task": "a", "extra": 1}\n', "Extra inputs"),
        ("not json\n", ":1:"),
    ]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(text)
        with pytest.raises(ConfigError, match=words):
            read_batch(bad)


def test_run_ids_are_stable_per_results_file_and_item(tmp_path: Path) -> None:
    item = BatchItem(id="q1", task="t")
    assert run_id_for(tmp_path / "r.jsonl", item) == run_id_for(tmp_path / "r.jsonl", item)
    assert run_id_for(tmp_path / "r.jsonl", item) != run_id_for(tmp_path / "other.jsonl", item)


async def test_a_lost_node_s_runs_go_to_another_node_under_the_same_run_id(tmp_path: Path) -> None:
    docker = frozenset({Need.SANDBOX})  # plain-language tasks may plan code
    flaky, steady = FakeWorker("a", slots=2, offers=docker, lose=2), FakeWorker("b", slots=2, offers=docker)
    lost: list[str] = []
    pool = Pool([flaky, steady], on_lost=lambda node, reason: lost.append(node))
    results = tmp_path / "results.jsonl"
    summary = await run_batch(_items(6), pool, results=results)
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == [f"i{n}" for n in range(6)]  # each once
    assert lost == ["a"]  # reported once; no run goes to it after
    assert flaky.ran == [] and sorted(steady.ran) == [f"i{n}" for n in range(6)]
    assert sorted(line["attempts"] for line in lines) == [1, 1, 1, 1, 2, 2]
    assert summary.by_node == {"b": 6} and summary.failed == 0


async def test_runs_go_only_to_nodes_offering_what_they_need_and_never_beyond_their_slots(tmp_path: Path) -> None:
    http_only, docker = FakeWorker("http", slots=3), FakeWorker("docker", slots=2, offers=frozenset({Need.SANDBOX}))
    pool = Pool([http_only, docker])
    needs = [frozenset({Need.SANDBOX}) if n % 2 else frozenset() for n in range(8)]
    await asyncio.gather(*(pool.run_item(item, item.id, need) for item, need in zip(_items(8), needs, strict=True)))
    assert all(int(i[1:]) % 2 == 0 for i in http_only.ran)
    assert {f"i{n}" for n in range(1, 8, 2)} <= set(docker.ran)
    assert http_only.most <= 3 and docker.most <= 2
    with pytest.raises(RunError, match="local_model"):
        await pool.run_item(BatchItem(id="x", task="t"), "x", frozenset({Need.LOCAL_MODEL}))


async def test_a_second_batch_runs_only_what_the_results_file_lacks(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text(BatchLine(id="i0", run_id="r", status="verified").model_dump_json() + '\n{"id": "i1", "run_')  # torn tail
    worker = FakeWorker("w", slots=4, offers=frozenset({Need.SANDBOX}))
    summary = await run_batch(_items(3), Pool([worker]), results=results)
    assert sorted(worker.ran) == ["i1", "i2"] and summary.skipped == 1
    assert sorted(json.loads(line)["id"] for line in results.read_text().splitlines()) == ["i0", "i1", "i2"]


def test_ray_flag_without_an_address_means_auto_and_the_engine_key_is_typed() -> None:
    assert _ray_without_address(["batch", "f.jsonl", "--ray"]) == ["batch", "f.jsonl", "--ray", "auto"]
    assert _ray_without_address(["batch", "--ray", "--concurrency", "2", "f"]) == [
        "batch",
        "--ray",
        "auto",
        "--concurrency",
        "2",
        "f",
    ]
    assert _ray_without_address(["batch", "--ray", "10.0.0.1:6379", "f"]) == ["batch", "--ray", "10.0.0.1:6379", "f"]
    assert JuntoConfig.from_toml('engine = "ray"\n').engine is Engine.RAY
    with pytest.raises(ConfigError, match="engine"):
        JuntoConfig.from_toml('engine = "spark"\n')


def test_a_role_on_the_embedded_model_needs_a_local_model_node() -> None:
    assert uses_local_model(JuntoConfig())  # no file: every role on the embedded model
    http = JuntoConfig.from_toml('[models.m]\nprovider = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n')
    assert not uses_local_model(http)
    mixed = JuntoConfig.from_toml(
        '[models.m]\nprovider = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n[roles]\nmath = ["local"]\n'
    )
    assert uses_local_model(mixed)


HTTP_TOML = '[models.m]\nprovider = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n'


def test_ray_serve_replicas_ask_for_what_the_configuration_needs(tmp_path: Path) -> None:
    """``sandbox`` always (a chat may be planned into code), ``local_model`` with a role on the embedded model."""
    (tmp_path / "http.toml").write_text(HTTP_TOML)
    (tmp_path / "local.toml").write_text('[models.local]\nprovider = "local"\n')
    code = textwrap.dedent(
        """
        import json
        from junto.scale import serve_deployment

        http = serve_deployment("http.toml", num_replicas=3)._bound_deployment  # what the application deploys
        local = serve_deployment("local.toml", ray_actor_options={"num_cpus": 0.5, "resources": {"gpu": 1}})._bound_deployment
        print(json.dumps([http.name, http.num_replicas, http.ray_actor_options, local.ray_actor_options]))
        """
    )
    # in a process of its own: importing Ray Serve warns, which pytest's filterwarnings = error would turn into a failure
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    name, replicas, http, local = json.loads(done.stdout.strip().splitlines()[-1])
    assert (name, replicas) == ("junto", 3)
    assert http["resources"] == {"sandbox": 0.001}
    assert local["resources"] == {"sandbox": 0.001, "local_model": 0.001, "gpu": 1} and local["num_cpus"] == 0.5


def test_a_ray_serve_deployment_reads_its_configuration_first_and_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        serve_deployment(tmp_path / "missing.toml")
    (tmp_path / "http.toml").write_text(HTTP_TOML)
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingDependencyError) as raised:
        serve_deployment(tmp_path / "http.toml")
    assert raised.value.extra == "ray"
