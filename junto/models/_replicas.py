"""ReplicaBackend: one model served by several deployments, balanced, watched, failing over.

It is a :class:`~junto.models.Backend` like any other, so a
:class:`~junto.models.ChatModel` on top of it keeps its retries, structured
output, price and cost; what this layer adds:

- each request goes to a replica a :class:`~junto.models._balance.Strategy`
  picks among the healthy ones below their concurrency cap (and waits for a
  free slot when every one is busy);
- a replica that fails goes into cooldown and rejoins after a probe (see
  ``_balance.py``);
- a request whose replica fails *before the first token* is sent again to
  another replica, each replica at most once per call, streaming included.
  Once a token has been passed on, the failure is the caller's: nothing
  already shown is taken back;
- when every replica is out, a call waits for a probe to bring one back, up
  to its timeout, then fails with a :class:`~junto.ModelConnectionError`
  that says what each replica's state is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from junto._exceptions import ConfigError, JuntoError, ModelConnectionError, ModelError
from junto.models._balance import HealthPolicy, LeastBusy, Replica, ReplicaState, Strategy, fails_over
from junto.models._types import Completion, ModelRequest, Probe, StreamChunk

__all__ = ["ReplicaBackend", "ReplicaStatus"]


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """What ``junto models list`` shows for one deployment."""

    model: str
    name: str
    state: ReplicaState
    in_flight: int
    concurrency: int
    weight: float
    latency_s: float | None
    ttft_s: float | None
    tokens_per_s: float | None
    calls: int
    errors: int
    probe_s: float | None
    cooldown_left_s: float
    last_error: str | None
    last_error_type: str | None
    base_url: str | None = None


class ReplicaBackend:
    """A :class:`~junto.models.Backend` over the replicas of one model."""

    def __init__(
        self,
        replicas: Sequence[Replica],
        *,
        model_id: str,
        strategy: Strategy | None = None,
        health: HealthPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not replicas:
            raise ConfigError(f"model '{model_id}' has no deployments")
        names = [r.name for r in replicas]
        if len(set(names)) != len(names):
            raise ConfigError(f"model '{model_id}' names two deployments alike: {names}")
        self.replicas = list(replicas)
        self._model_id = model_id
        self.strategy = strategy or LeastBusy()
        self.health = health or HealthPolicy()
        self._clock = clock
        self._sequence = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._probes: set[asyncio.Task[None]] = set()

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def concurrency(self) -> int:
        """Requests the replicas take at once, all together."""
        return sum(r.concurrency for r in self.replicas)

    def __repr__(self) -> str:
        return f"ReplicaBackend({self._model_id!r}, {[r.name for r in self.replicas]!r})"

    # -- calls -------------------------------------------------------------

    async def send(self, request: ModelRequest, *, timeout: float) -> Completion:
        deadline = self._clock() + timeout
        tried: set[Replica] = set()
        last: ModelError | None = None
        failovers: list[str] = []
        while True:
            replica = await self._acquire(tried, deadline, last)
            started = self._clock()
            try:
                completion = await replica.backend.send(request, timeout=timeout)
            except ModelError as error:
                self._release(replica)
                self._failed(replica, error)
                if not fails_over(error):
                    raise
                tried.add(replica)
                last = error
                failovers.append(f"{replica.name}: {type(error).__name__}")
                continue
            except BaseException:
                self._release(replica)
                raise
            self._release(replica)
            took = self._clock() - started
            replica.record_success(latency_s=took, ttft_s=None, tokens=completion.usage.completion_tokens)
            return completion.model_copy(update={"deployment": replica.name, "failovers": failovers})

    async def send_stream(self, request: ModelRequest, *, timeout: float) -> AsyncIterator[StreamChunk]:
        deadline = self._clock() + timeout
        tried: set[Replica] = set()
        last: ModelError | None = None
        while True:
            replica = await self._acquire(tried, deadline, last)
            started = self._clock()
            first: float | None = None
            tokens = 0
            released = False
            try:
                async for chunk in replica.backend.send_stream(request, timeout=timeout):
                    if first is None:
                        first = self._clock()
                    if chunk.usage is not None:
                        tokens = chunk.usage.completion_tokens
                    elif chunk.text:
                        tokens += 1
                    yield chunk
            except ModelError as error:
                released = True
                self._release(replica)
                self._failed(replica, error)
                if first is not None or not fails_over(error):
                    raise
                tried.add(replica)
                last = error
                continue
            finally:
                if not released:
                    self._release(replica)
            done = self._clock()
            replica.record_success(
                latency_s=done - started, ttft_s=(first if first is not None else done) - started, tokens=tokens
            )
            return

    async def probe(self, *, timeout: float) -> None:
        """Probe every replica now; return if at least one answers, else raise the last error."""
        await asyncio.gather(*(self._probe(r, timeout=timeout) for r in self.replicas))
        if not any(r.state is ReplicaState.HEALTHY for r in self.replicas):
            raise self._none_healthy()

    async def aclose(self) -> None:
        for task in list(self._probes):
            task.cancel()
        await asyncio.gather(*self._probes, return_exceptions=True)
        for replica in self.replicas:
            await replica.backend.aclose()

    def status(self) -> list[ReplicaStatus]:
        now = self._clock()
        return [
            ReplicaStatus(
                model=self._model_id,
                name=r.name,
                state=r.state,
                in_flight=r.in_flight,
                concurrency=r.concurrency,
                weight=r.weight,
                latency_s=r.latency_s,
                ttft_s=r.ttft_s,
                tokens_per_s=r.tokens_per_s,
                calls=r.calls,
                errors=r.errors,
                probe_s=r.probe_s,
                cooldown_left_s=max(r.cooldown_until - now, 0.0) if r.state is not ReplicaState.HEALTHY else 0.0,
                last_error=r.last_error,
                last_error_type=r.last_error_type,
                base_url=r.base_url,
            )
            for r in self.replicas
        ]

    # -- choosing ----------------------------------------------------------

    async def _acquire(self, tried: set[Replica], deadline: float, last: ModelError | None) -> Replica:
        """A replica not tried yet, its slot taken; waits while all are busy or out."""
        while True:
            now = self._clock()
            self._start_due_probes(now)
            untried = [r for r in self.replicas if r not in tried]
            ready = [r for r in untried if r.can_take()]
            if ready:
                replica = ready[0] if len(ready) == 1 else self.strategy.choose(ready)
                replica.in_flight += 1
                self._sequence += 1
                replica.chosen_at = self._sequence
                return replica
            if last is not None and not any(r.state is ReplicaState.HEALTHY for r in untried):
                raise last  # every replica that could answer has failed this call: the caller's retries decide
            if not untried:
                raise self._none_healthy()
            wake = deadline
            for replica in untried:
                if replica.state is not ReplicaState.HEALTHY and not replica.probing:
                    wake = min(wake, replica.cooldown_until)
            if now >= deadline:
                raise self._none_healthy()
            await self._wait(max(wake - now, 0.0))

    async def _wait(self, seconds: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout=max(seconds, 0.001))
        except TimeoutError:
            pass
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _release(self, replica: Replica) -> None:
        replica.in_flight -= 1
        if self._waiters:
            self._wake()

    def _failed(self, replica: Replica, error: ModelError) -> None:
        if fails_over(error):
            replica.record_failure(error, now=self._clock(), policy=self.health)

    # -- health ------------------------------------------------------------

    def _start_due_probes(self, now: float) -> None:
        for replica in self.replicas:
            if replica.state is not ReplicaState.HEALTHY and not replica.probing and now >= replica.cooldown_until:
                replica.probing = True
                task = asyncio.ensure_future(self._probe(replica, timeout=self.health.probe_timeout_s))
                self._probes.add(task)
                task.add_done_callback(self._probes.discard)

    async def _probe(self, replica: Replica, *, timeout: float) -> None:
        replica.probing = True
        began = self._clock()
        try:
            if isinstance(replica.backend, Probe):
                await replica.backend.probe(timeout=timeout)
                replica.probe_s = self._clock() - began
        except ModelError as error:
            if not fails_over(error):  # it answered, just not that path (a server without GET /models): it is up
                self._rejoin(replica)
                return
            replica.record_failure(error, now=self._clock(), policy=self.health)
            replica.calls -= 1  # a probe is not a call
            replica.errors -= 1
        except JuntoError as error:  # anything else the backend raises still keeps it out
            replica.state = ReplicaState.DOWN
            replica.failures += 1
            replica.last_error, replica.last_error_type = error.message[:300], type(error).__name__
            replica.cooldown_until = self._clock() + self.health.cooldown(replica.failures)
        else:
            self._rejoin(replica)
        finally:
            replica.probing = False
            self._wake()

    @staticmethod
    def _rejoin(replica: Replica) -> None:
        replica.state = ReplicaState.HEALTHY
        replica.failures = 0
        replica.cooldown_until = 0.0

    def _none_healthy(self) -> ModelConnectionError:
        now = self._clock()
        states = []
        for r in self.replicas:
            detail = r.state.value
            if r.state is not ReplicaState.HEALTHY:
                detail += f" ({r.last_error_type}, next probe in {max(r.cooldown_until - now, 0.0):.1f} s)"
            states.append(f"{r.name}: {detail}")
        return ModelConnectionError(
            f"no deployment of '{self._model_id}' could take the request: {'; '.join(states)}",
            hint="check the model servers; `junto models list` shows each deployment",
        )
