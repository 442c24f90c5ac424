"""Replicas over real servers on 127.0.0.1: balancing, a server killed mid-batch, injected faults.

Each server is ``tests/fixtures/openai_stub.py`` in its own process, with a
fixed delay and a concurrency cap; a test kills one while runs are in flight.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from junto.graphs import TaskGraph

from junto import Junto
from junto._config import JuntoConfig
from junto._constraints import WritingConstraints
from junto._exceptions import ModelResponseError
from junto._runs import RunStatus
from junto.models._balance import ReplicaState
from junto.models._chat import ChatModel
from junto.models._types import Message, ModelRequest
from tests.fixtures.openai_stub import StubServer

pytestmark = [pytest.mark.slow]

REPLY = "Rayleigh scattering makes the daytime sky look blue."
REQUEST = ModelRequest(messages=[Message.user("Why is the sky blue?")])


@pytest.fixture()
def servers() -> Iterator[list[StubServer]]:
    started = [StubServer(delay=0.15, concurrency=2, reply=REPLY, name=f"s{i}").start() for i in range(3)]
    try:
        yield started
    finally:
        for server in started:
            server.stop()


def _model(servers: list[StubServer], *, strategy: str = "least_busy", concurrency: int = 2) -> ChatModel:
    deployments = ", ".join(f'{{ base_url = "{s.base_url}", name = "{s.name}" }}' for s in servers)
    config = JuntoConfig.from_toml(
        f"""
[models.writer]
model = "stub"
concurrency = {concurrency}
strategy = "{strategy}"
health = {{ cooldown_s = 0.2, max_cooldown_s = 1 }}
retry = {{ max_attempts = 4, initial_delay_s = 0.1 }}
deployments = [{deployments}]
"""
    )
    model = config.build_model("writer")
    assert isinstance(model, ChatModel)
    return model


def _graph() -> TaskGraph:
    graph = TaskGraph(name="sky")
    graph.writing(
        "Explain why the sky is blue in one sentence.",
        constraints=WritingConstraints(required_terms=["blue"], max_words=20),
    )
    return graph


def _states(model: ChatModel) -> dict[str, ReplicaState]:
    return {s.name: s.state for s in model.backend.status()}


async def test_runs_are_balanced_and_survive_a_server_killed_mid_batch(servers: list[StubServer], tmp_path: Path) -> None:
    model = _model(servers)
    store = tmp_path / "runs.db"
    try:
        async with Junto.start(roster=_roster(model), store=store, checkpoints=False) as junto:
            batch = [asyncio.ensure_future(junto.run(_graph())) for _ in range(24)]
            await asyncio.sleep(0.5)  # every server has answered some by now
            servers[2].kill()
            results = await asyncio.gather(*batch)
            assert [r.status for r in results] == [RunStatus.VERIFIED] * 24  # every run completed, verified
            # A request cut by the kill cools the deployment down; once the cooldown ends, the probe
            # finds the port refusing connections and marks it down.
            for _ in range(40):
                if _states(model)["s2"] is ReplicaState.DOWN:
                    break
                await model.complete(REQUEST)
                await asyncio.sleep(0.1)
            assert _states(model)["s2"] is ReplicaState.DOWN
            kept = [await junto.store.get_run(r.run_id) for r in results]
            assert all(k is not None and k.result.status is RunStatus.VERIFIED for k in kept)  # nothing verified lost
        served = [s.stats()["served"] for s in servers[:2]]
        assert all(n >= 6 for n in served), served  # the two live servers shared the work
        assert all(s.stats()["max_in_flight"] <= 2 for s in servers[:2])

        servers[2].start()  # the same port again
        for _ in range(40):
            await model.complete(REQUEST)
            if _states(model)["s2"] is ReplicaState.HEALTHY:
                break
            await asyncio.sleep(0.1)
        assert _states(model)["s2"] is ReplicaState.HEALTHY  # a probe brought it back
        await asyncio.gather(*(model.complete(REQUEST) for _ in range(12)))
        assert servers[2].stats()["served"] >= 2  # and it takes traffic again
    finally:
        await model.aclose()


async def test_least_busy_balances_evenly_across_three_servers(servers: list[StubServer]) -> None:
    model = _model(servers)
    try:
        answers = await asyncio.gather(*(model.complete(REQUEST) for _ in range(18)))
        assert {a.deployment for a in answers} == {"s0", "s1", "s2"}
        assert [s.stats()["served"] for s in servers] == [6, 6, 6]
    finally:
        await model.aclose()


async def test_injected_faults_are_typed_and_every_call_still_answers(servers: list[StubServer]) -> None:
    # s0 is a fault-injecting proxy in front of a real server; s1 a server of its own
    faulty = StubServer(name="s0", delay=0.0, upstream=f"http://127.0.0.1:{servers[0].port}").start()
    model = _model([faulty, servers[1]])
    try:
        for fault, error_type in [("429", "ModelHTTPError"), ("500", "ModelHTTPError"), ("malformed", "ModelResponseError")]:
            _reset(model)
            faulty.inject(fault)
            answer = await _first_to(model, "s0")
            assert answer.text == REPLY and answer.deployment == "s1"  # sent again, to the other server
            status = {s.name: s for s in model.backend.status()}["s0"]
            assert status.state is ReplicaState.COOLING and status.last_error_type == error_type, fault

        _reset(model)
        faulty.inject("cut_before")
        chunks = [c async for c in _stream_first_to(model, "s0")]
        assert "".join(c.text for c in chunks) == REPLY  # whole, from the other server

        _reset(model)
        faulty.inject("cut_after")
        seen: list[str] = []
        with pytest.raises(ModelResponseError):
            async for chunk in _stream_first_to(model, "s0"):
                seen.append(chunk.text)
        assert seen == ["Rayleigh"]  # the first token went out; the failure is reported, not hidden

        _reset(model)
        answer = await _first_to(model, "s0")  # no fault left: the proxy relays the real server's answer
        assert (answer.deployment, answer.text) == ("s0", REPLY) and servers[0].stats()["served"] >= 1
    finally:
        await model.aclose()
        faulty.stop()


async def test_runs_through_faults_complete_and_their_traces_type_the_errors(servers: list[StubServer], tmp_path: Path) -> None:
    from junto._events import ModelCalled

    pair, alone = _model(servers[:2]), _model(servers[2:])
    try:
        async with Junto.start(roster=_roster(pair), store=tmp_path / "runs.db", checkpoints=False) as junto:
            _prefer(pair, "s0")
            servers[0].inject("500")
            result = await junto.run(_graph())
            assert result.status is RunStatus.VERIFIED
            calls = [e for e in (await junto.store.get_run(result.run_id)).events if isinstance(e, ModelCalled)]
            assert [(c.deployment, c.failovers, c.error_type) for c in calls] == [("s1", ["s0: ModelHTTPError"], None)]

        async with Junto.start(roster=_roster(alone), store=tmp_path / "runs.db", checkpoints=False) as junto:
            servers[2].inject("429")  # Retry-After: 1, then it answers
            assert (await junto.run(_graph())).status is RunStatus.VERIFIED
            servers[2].inject(*["malformed"] * 8)
            result = await junto.run(_graph())  # no run crashes: it ends failed, with typed errors in its trace
            assert result.status is RunStatus.FAILED and result.completed
            calls = [e for e in (await junto.store.get_run(result.run_id)).events if isinstance(e, ModelCalled)]
            assert calls and {c.error_type for c in calls} == {"ModelResponseError"}
            assert all("malformed JSON" in (c.error or "") for c in calls)
    finally:
        await pair.aclose()
        await alone.aclose()


async def test_a_stalled_server_times_out_and_the_call_goes_to_another(servers: list[StubServer]) -> None:
    model = _model(servers[:2])
    model.timeout_s = 1.0
    try:
        _prefer(model, "s0")
        servers[0].inject("stall")
        began = time.perf_counter()
        answer = await model.complete(REQUEST)
        assert answer.deployment == "s1" and answer.failovers == ["s0: ModelTimeoutError"]
        assert time.perf_counter() - began < 3.0  # one timeout, then the other server's answer
        assert _states(model)["s0"] is ReplicaState.COOLING
    finally:
        await model.aclose()


def _roster(model: ChatModel):
    from junto.models._roster import Roster

    return Roster.single(model)


def _reset(model: ChatModel) -> None:
    for replica in model.backend.replicas:
        replica.state, replica.failures, replica.cooldown_until = ReplicaState.HEALTHY, 0, 0.0


def _prefer(model: ChatModel, name: str) -> None:
    from junto.models._balance import FunctionStrategy

    model.backend.strategy = FunctionStrategy(lambda c: next((r for r in c if r.name == name), c[0]))


async def _first_to(model: ChatModel, name: str):
    _prefer(model, name)
    return await model.complete(REQUEST)


def _stream_first_to(model: ChatModel, name: str):
    _prefer(model, name)
    return model.stream(REQUEST)


def test_models_list_shows_each_deployment_and_its_state(
    servers: list[StubServer], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from junto.cli import main

    servers[1].kill()
    deployments = ", ".join(f'{{ base_url = "{s.base_url}", name = "{s.name}" }}' for s in servers[:2])
    path = tmp_path / "junto.toml"
    path.write_text(f'[models.writer]\nmodel = "stub"\ndeployments = [{deployments}]\n\n[roles]\nwriting = ["writer"]\n')
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["models", "list", "--config", str(path)]) == 0
    rows = {line.split("│")[2].strip(): line for line in capsys.readouterr().out.splitlines() if line.count("│") > 6}
    assert "healthy" in rows["s0"] and "0/4" in rows["s0"] and " ms" in rows["s0"]
    assert "down" in rows["s1"] and "ModelConnectionError" in rows["s1"]
