"""Replicas of one model: strategies, cooldown and probes, fail-over before the first token (test doubles)."""

from __future__ import annotations

import asyncio

import pytest

from junto._config import JuntoConfig
from junto._exceptions import (
    ConfigError,
    ModelConnectionError,
    ModelHTTPError,
    ModelResponseError,
)
from junto.models._balance import (
    FunctionStrategy,
    HealthPolicy,
    LatencyAware,
    LeastBusy,
    Replica,
    ReplicaState,
    Weighted,
)
from junto.models._chat import ChatModel, RetryPolicy
from junto.models._replicas import ReplicaBackend
from junto.models._types import Completion, Message, ModelRequest, StreamChunk, Usage

REQUEST = ModelRequest(messages=[Message.user("hi")])


class FakeServer:
    """A backend double: a delay, a script of failures, a probe that can be made to fail."""

    def __init__(self, name: str, *, delay: float = 0.0, reply: str = "ok") -> None:
        self.name = name
        self.delay = delay
        self.reply = reply
        self.failures: list[Exception] = []
        self.stream_failure_after: int | None = None  # fail after this many chunks (0: before any)
        self.probe_error: Exception | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = 0
        self.probes = 0

    @property
    def model_id(self) -> str:
        return self.name

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.failures:
                raise self.failures.pop(0)
            return Completion(text=self.reply, usage=Usage(completion_tokens=4), model=self.name)
        finally:
            self.in_flight -= 1

    async def send_stream(self, request: ModelRequest, *, timeout: float):
        self.calls += 1
        await asyncio.sleep(self.delay)
        words = self.reply.split()
        for i, word in enumerate(words):
            if self.stream_failure_after == i:
                self.stream_failure_after = None
                raise ModelResponseError(f"{self.name} closed the connection mid-answer")
            yield StreamChunk(text=word if i == 0 else " " + word)
        yield StreamChunk(finish_reason="stop", usage=Usage(completion_tokens=len(words)))

    async def probe(self, *, timeout: float) -> None:
        self.probes += 1
        if self.probe_error is not None:
            raise self.probe_error

    async def aclose(self) -> None:
        return None


def _backend(*servers: FakeServer, strategy=None, health=None, concurrency: int = 4, weights=None) -> ReplicaBackend:
    replicas = [
        Replica(name=s.name, backend=s, concurrency=concurrency, weight=(weights or {}).get(s.name, 1.0)) for s in servers
    ]
    return ReplicaBackend(replicas, model_id="m", strategy=strategy, health=health or HealthPolicy(cooldown_s=0.05))


def _state(backend: ReplicaBackend, name: str) -> ReplicaState:
    return next(s.state for s in backend.status() if s.name == name)


async def test_least_busy_spreads_concurrent_calls_and_respects_each_cap() -> None:
    a, b = FakeServer("a", delay=0.02), FakeServer("b", delay=0.02)
    backend = _backend(a, b, concurrency=3)
    results = await asyncio.gather(*(backend.send(REQUEST, timeout=5) for _ in range(12)))
    assert {r.deployment for r in results} == {"a", "b"}
    assert a.calls == b.calls == 6
    assert a.max_in_flight == b.max_in_flight == 3  # busy replicas make the rest wait, never exceed their cap


async def test_weighted_shares_traffic_by_weight() -> None:
    a, b = FakeServer("a"), FakeServer("b")
    backend = _backend(a, b, strategy=Weighted(), weights={"a": 3.0, "b": 1.0})
    for _ in range(40):
        await backend.send(REQUEST, timeout=5)
    assert (a.calls, b.calls) == (30, 10)


async def test_latency_aware_prefers_the_faster_replica_once_measured() -> None:
    slow, fast = FakeServer("slow", delay=0.05), FakeServer("fast", delay=0.005)
    backend = _backend(slow, fast, strategy=LatencyAware())
    for _ in range(10):
        await backend.send(REQUEST, timeout=5)
    assert slow.calls == 1 and fast.calls == 9  # each measured once, then the fast one


async def test_latency_aware_measures_streams_by_time_to_first_token() -> None:
    slow, fast = FakeServer("slow", delay=0.05, reply="a b c"), FakeServer("fast", delay=0.005, reply="a b c")
    backend = _backend(slow, fast, strategy=LatencyAware())
    for _ in range(6):
        assert "".join([c.text async for c in backend.send_stream(REQUEST, timeout=5)]) == "a b c"
    status = {s.name: s for s in backend.status()}
    assert status["fast"].ttft_s < status["slow"].ttft_s and (slow.calls, fast.calls) == (1, 5)


def test_strategies_break_ties_by_the_replica_chosen_longest_ago() -> None:
    replicas = [Replica(name=n, backend=FakeServer(n)) for n in "abc"]
    replicas[0].chosen_at, replicas[1].chosen_at, replicas[2].chosen_at = 3, 1, 2
    assert LeastBusy().choose(replicas).name == "b"
    replicas[1].in_flight = 2
    assert LeastBusy().choose(replicas).name == "c"


async def test_a_failure_before_the_answer_goes_to_another_replica_and_cools_the_first() -> None:
    a, b = FakeServer("a"), FakeServer("b")
    a.failures = [ModelHTTPError("boom", status_code=500)]
    backend = _backend(a, b, strategy=FunctionStrategy(lambda c: c[0]))
    completion = await backend.send(REQUEST, timeout=5)
    assert completion.deployment == "b"
    status = {s.name: s for s in backend.status()}
    assert status["a"].state is ReplicaState.COOLING and status["a"].last_error_type == "ModelHTTPError"
    assert status["b"].state is ReplicaState.HEALTHY


async def test_a_request_the_server_refuses_is_not_sent_elsewhere() -> None:
    a, b = FakeServer("a"), FakeServer("b")
    a.failures = [ModelHTTPError("bad request", status_code=400)]
    backend = _backend(a, b, strategy=FunctionStrategy(lambda c: c[0]))
    with pytest.raises(ModelHTTPError):
        await backend.send(REQUEST, timeout=5)
    assert b.calls == 0 and _state(backend, "a") is ReplicaState.HEALTHY


async def test_a_stream_cut_before_its_first_token_is_answered_whole_by_another_replica() -> None:
    a, b = FakeServer("a", reply="one two three"), FakeServer("b", reply="one two three")
    a.stream_failure_after = 0
    backend = _backend(a, b, strategy=FunctionStrategy(lambda c: c[0]))
    chunks = [chunk async for chunk in backend.send_stream(REQUEST, timeout=5)]
    assert "".join(c.text for c in chunks) == "one two three"
    assert (a.calls, b.calls) == (1, 1) and _state(backend, "a") is ReplicaState.COOLING


async def test_a_stream_cut_after_its_first_token_is_reported_not_restarted() -> None:
    a, b = FakeServer("a", reply="one two three"), FakeServer("b", reply="one two three")
    a.stream_failure_after = 1
    backend = _backend(a, b, strategy=FunctionStrategy(lambda c: c[0]))
    seen: list[str] = []
    with pytest.raises(ModelResponseError):
        async for chunk in backend.send_stream(REQUEST, timeout=5):
            seen.append(chunk.text)
    assert seen == ["one"] and b.calls == 0  # nothing shown is taken back, nothing repeated


async def test_an_unreachable_replica_is_down_until_a_probe_succeeds() -> None:
    a, b = FakeServer("a"), FakeServer("b")
    a.failures = [ModelConnectionError("refused")]
    a.probe_error = ModelConnectionError("still refused")
    backend = _backend(a, b, strategy=FunctionStrategy(lambda c: c[0]), health=HealthPolicy(cooldown_s=0.02))
    assert (await backend.send(REQUEST, timeout=5)).deployment == "b"
    assert _state(backend, "a") is ReplicaState.DOWN
    await asyncio.sleep(0.03)
    await backend.send(REQUEST, timeout=5)  # the cooldown is over: a probe starts, and fails
    await asyncio.sleep(0.01)
    assert a.probes == 1 and _state(backend, "a") is ReplicaState.DOWN
    a.probe_error = None
    await asyncio.sleep(0.05)  # the second cooldown is twice the first
    await backend.send(REQUEST, timeout=5)
    await asyncio.sleep(0.01)
    assert a.probes == 2 and _state(backend, "a") is ReplicaState.HEALTHY
    assert (await backend.send(REQUEST, timeout=5)).deployment == "a"


async def test_retry_after_sets_the_cooldown() -> None:
    a, b = FakeServer("a"), FakeServer("b")
    a.failures = [ModelHTTPError("slow down", status_code=429, retry_after=7.0)]
    backend = _backend(a, b, strategy=FunctionStrategy(lambda c: c[0]))
    await backend.send(REQUEST, timeout=5)
    cooling = next(s for s in backend.status() if s.name == "a")
    assert cooling.state is ReplicaState.COOLING and 6.5 < cooling.cooldown_left_s <= 7.0


async def test_when_every_replica_is_out_a_call_waits_for_a_probe_then_answers() -> None:
    a = FakeServer("a")
    a.failures = [ModelConnectionError("refused")]
    backend = _backend(a, health=HealthPolicy(cooldown_s=0.05))
    model = ChatModel(backend, name="m", retry=RetryPolicy(max_attempts=2, initial_delay_s=0.0, jitter=0.0))
    completion = await model.complete(REQUEST)  # first try fails, the retry waits for the probe
    assert completion.text == "ok" and a.probes == 1 and completion.attempts == 2


async def test_when_every_replica_stays_out_the_error_names_each_state() -> None:
    a, b = FakeServer("a"), FakeServer("b")
    for server in (a, b):
        server.failures = [ModelConnectionError("refused")]
        server.probe_error = ModelConnectionError("refused")
    backend = _backend(a, b, health=HealthPolicy(cooldown_s=0.01))
    with pytest.raises(ModelConnectionError):
        await backend.send(REQUEST, timeout=5)
    with pytest.raises(ModelConnectionError, match="no deployment of 'm'.*a: down.*b: down"):
        await backend.send(REQUEST, timeout=0.1)


def test_config_builds_a_balanced_model_and_refuses_mistakes() -> None:
    config = JuntoConfig.from_toml(
        """
[models.coder]
model = "qwen"
strategy = "weighted"
health = { cooldown_s = 2, max_cooldown_s = 30 }
deployments = [
  { base_url = "http://10.0.0.1:8000/v1", concurrency = 8, weight = 3 },
  { base_url = "http://10.0.0.2:8000/v1", name = "spare", model = "qwen-b" },
]
"""
    )
    model = config.build_model("coder")
    assert isinstance(model, ChatModel) and isinstance(model.backend, ReplicaBackend)
    assert [r.name for r in model.backend.replicas] == ["10.0.0.1:8000", "spare"]
    assert [r.concurrency for r in model.backend.replicas] == [8, 4]
    assert isinstance(model.backend.strategy, Weighted) and model.backend.health.cooldown_s == 2
    assert model.backend.replicas[1].backend.model == "qwen-b"
    bad = {
        'deployments = [{ base_url = "http://a/v1", port = 1 }]': "models.m.deployments.0.port: unknown key",
        'base_url = "http://a/v1"\ndeployments = [{ base_url = "http://b/v1" }]': "models.m.base_url",
        'deployments = [{ base_url = "http://a/v1" }, { base_url = "http://a/v1" }]': "share a name",
        'strategy = "random"\ndeployments = [{ base_url = "http://a/v1" }]': "models.m.strategy",
    }
    for body, message in bad.items():
        with pytest.raises(ConfigError, match=message):
            JuntoConfig.from_toml(f'[models.m]\nmodel = "x"\n{body}\n')
