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
needed in user scripts. Jobs are named in :data:`JOBS`; only those
functions can be run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

from junto._exceptions import CheckError

__all__ = ["JOBS", "MEMORY_LIMIT_BYTES", "MathWorkerPool", "WorkerTimeout", "default_pool"]

# job name -> (module, function); resolved inside the worker only
JOBS = {
    "compare": ("junto.tools.math._compare", "compare_in_worker"),
    "claim": ("junto.tools.math._claims", "check_claim_in_worker"),
    "sleep": ("time", "sleep"),  # for tests of the time limit itself
}

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
            self.conn.recv()
        except (EOFError, OSError) as error:
            self.kill()
            raise CheckError(
                "the math worker process exited at start", hint="run python -m junto.tools.math._worker_main to see why"
            ) from error

    def run(self, job: str, args: tuple[Any, ...], timeout_s: float) -> Any:
        assert self.conn is not None and self._out is not None
        self._out.send((job, args))
        if not self.conn.poll(timeout_s):
            self.kill()
            raise WorkerTimeout(job, timeout_s)
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError) as error:
            self.kill()
            raise CheckError(f"the math worker died during {job}") from error
        if status == "check":
            raise CheckError(value)
        return value

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

    def run(self, job: str, *args: Any, timeout_s: float) -> Any:
        """Run ``job(*args)`` in a worker; :class:`WorkerTimeout` after ``timeout_s``."""
        if job not in JOBS:
            raise CheckError(f"unknown math job {job!r}")
        worker = self._acquire()
        try:
            if not worker.alive:
                worker.start()
                self.started += 1
            return worker.run(job, args, timeout_s)
        finally:
            self._release(worker)

    async def arun(self, job: str, *args: Any, timeout_s: float) -> Any:
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
