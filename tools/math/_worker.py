"""Time-limited sympy work in separate processes.

``simplify``, ``solve``, ``integrate`` and ``limit`` can run for minutes or
exhaust memory on innocent-looking input. Every such job runs in a worker
process (started with ``spawn``, so no threads or locks are inherited from
the caller) that is reused across calls. A job that outlives its time limit
gets its worker killed and replaced: the caller receives a
:class:`WorkerTimeout` within the limit plus a small margin, never a hang.
Workers also run under an address-space limit, so a job that tries to build
an enormous object fails with an error instead of swapping the machine.

Workers are plain ``python -m junto.tools.math._worker_main`` processes talking
over two pipes (not ``multiprocessing`` processes), so the caller's main
module is never re-imported and no ``if __name__ == "__main__"`` guard is
needed in user scripts. Jobs are the members of :class:`MathJob`, mapped
to their functions in :data:`JOBS`; nothing else can be run. The worker
answers each job with a :class:`WorkerReply`: the job's pydantic result, or
why it could not decide.
"""

from __future__ import annotations

import asyncio
import enum
import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

from pydantic import BaseModel, ConfigDict

from junto._exceptions import CheckError

__all__ = [
    "JOBS",
    "MEMORY_LIMIT_BYTES",
    "MathJob",
    "MathWorkerPool",
    "ReplyStatus",
    "WorkerJob",
    "WorkerReply",
    "WorkerTimeout",
    "default_pool",
]


class MathJob(str, enum.Enum):
    """The jobs a worker runs."""

    COMPARE = "compare"  # two answers: an Equivalence
    CLAIM = "claim"  # a MathAnswer against its instruction: the claim's checks
    SLEEP = "sleep"  # for tests of the time limit itself


# job -> (module, function); resolved inside the worker only
JOBS: dict[MathJob, tuple[str, str]] = {
    MathJob.COMPARE: ("junto.tools.math._compare", "compare_in_worker"),
    MathJob.CLAIM: ("junto.tools.math._claims", "check_claim_in_worker"),
    MathJob.SLEEP: ("time", "sleep"),
}


class WorkerJob(BaseModel):
    """One job sent to a worker."""

    model_config = ConfigDict(frozen=True)

    job: MathJob
    args: tuple[Any, ...] = ()


class ReplyStatus(str, enum.Enum):
    READY = "ready"  # the worker has imported its jobs and warmed sympy up
    DONE = "done"  # the job returned ``value``
    UNDECIDED = "undecided"  # the job failed; ``message`` says why (the check is undecided)


class WorkerReply(BaseModel):
    """A worker's answer: ready, a job's result, or why the job could not decide."""

    model_config = ConfigDict(frozen=True)

    status: ReplyStatus
    value: BaseModel | None = None
    message: str = ""


MEMORY_LIMIT_BYTES = 2 * 1024**3
_START_TIMEOUT_S = 120.0


class WorkerTimeout(CheckError):
    """A job ran past its time limit; its worker was killed."""

    def __init__(self, job: str, timeout_s: float) -> None:
        super().__init__(f"sympy did not finish {job} within {timeout_s:g} s; the check is undecided")
        self.job = job
        self.timeout_s = timeout_s


class _Worker:
    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self._out: Connection | None = None

    def start(self) -> None:
        job_read, job_write = os.pipe()
        result_read, result_write = os.pipe()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "junto.tools.math._worker_main", str(job_read), str(result_write)],
                pass_fds=(job_read, result_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            os.close(job_read)
            os.close(result_write)
        self.process = process
        self._out = Connection(job_write, readable=False)
        self.conn = Connection(result_read, writable=False)
        if not self.conn.poll(_START_TIMEOUT_S):
            self.kill()
            raise CheckError("the math worker process did not start", hint="check that sympy imports in this environment")
        try:
            ready = self.conn.recv()
        except (EOFError, OSError) as error:
            self.kill()
            raise CheckError(
                "the math worker process exited at start", hint="run python -m junto.tools.math._worker_main to see why"
            ) from error
        if not isinstance(ready, WorkerReply) or ready.status is not ReplyStatus.READY:
            self.kill()
            raise CheckError(f"the math worker process did not report ready: {ready!r}"[:300])

    def run(self, job: WorkerJob, timeout_s: float) -> BaseModel | None:
        assert self.conn is not None and self._out is not None
        self._out.send(job)
        if not self.conn.poll(timeout_s):
            self.kill()
            raise WorkerTimeout(job.job.value, timeout_s)
        try:
            reply = self.conn.recv()
        except (EOFError, OSError) as error:
            self.kill()
            raise CheckError(f"the math worker died during {job.job.value}") from error
        if not isinstance(reply, WorkerReply) or reply.status is ReplyStatus.READY:
            self.kill()
            raise CheckError(f"the math worker answered {job.job.value} with {reply!r}"[:300])
        if reply.status is ReplyStatus.UNDECIDED:
            raise CheckError(reply.message)
        return reply.value

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        for conn in (self.conn, self._out):
            if conn is not None:
                conn.close()
        self.process, self.conn, self._out = None, None, None


class MathWorkerPool:
    """Up to ``size`` reusable worker processes; a worker is started on first use."""

    def __init__(self, *, size: int = 2) -> None:
        self.size = size
        self._idle: list[_Worker] = []
        self._busy = 0
        self._cond = threading.Condition()
        self.started = 0  # workers started so far (replacements included)

    def run(self, job: MathJob | str, *args: Any, timeout_s: float) -> BaseModel | None:
        """Run ``job(*args)`` in a worker and return its result; :class:`WorkerTimeout` after ``timeout_s``."""
        try:
            request = WorkerJob(job=MathJob(job), args=args)
        except ValueError:
            raise CheckError(f"unknown math job {job!r}") from None
        worker = self._acquire()
        try:
            if not worker.alive:
                worker.start()
                self.started += 1
            return worker.run(request, timeout_s)
        finally:
            self._release(worker)

    async def arun(self, job: MathJob | str, *args: Any, timeout_s: float) -> BaseModel | None:
        return await asyncio.to_thread(self.run, job, *args, timeout_s=timeout_s)

    def _acquire(self) -> _Worker:
        with self._cond:
            while not self._idle and self._busy >= self.size:
                self._cond.wait()
            self._busy += 1
            return self._idle.pop() if self._idle else _Worker()

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._busy -= 1
            self._idle.append(worker)
            self._cond.notify()

    def close(self) -> None:
        """Stop every idle worker (busy ones stop when their job returns)."""
        with self._cond:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()


_default: MathWorkerPool | None = None
_default_lock = threading.Lock()


def default_pool() -> MathWorkerPool:
    """The process-wide pool the math checks use unless given another."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MathWorkerPool()
        return _default
