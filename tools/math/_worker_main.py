"""The math worker process: ``python -m junto.tools.math._worker_main IN_FD OUT_FD``.

Reads a :class:`WorkerJob` from one pipe and writes a :class:`WorkerReply` to
the other, for as long as the parent keeps it. See :mod:`junto.tools.math._worker`.
"""

from __future__ import annotations

import importlib
import sys
from multiprocessing.connection import Connection

from junto.tools.math._worker import JOBS, MEMORY_LIMIT_BYTES, MathJob, ReplyStatus, WorkerJob, WorkerReply

from junto._exceptions import CheckError

__all__: list[str] = []


def _serve(inbox: Connection, conn: Connection) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    for module, _ in JOBS.values():  # import before reporting ready: imports must not eat a job's time
        importlib.import_module(module)
    # nor must sympy's first-use set-up (several seconds on a busy machine): one small comparison does it
    compare_module, compare_name = JOBS[MathJob.COMPARE]
    getattr(importlib.import_module(compare_module), compare_name)("\\frac{1}{2} + x^2", "0.5 + x**2")

    conn.send(WorkerReply(status=ReplyStatus.READY))
    while True:
        try:
            request: WorkerJob = inbox.recv()
        except EOFError:
            return
        conn.send(_answer(request))


def _answer(request: WorkerJob) -> WorkerReply:
    job = request.job.value
    try:
        module, name = JOBS[request.job]
        function = getattr(importlib.import_module(module), name)
        return WorkerReply(status=ReplyStatus.DONE, value=function(*request.args))
    except CheckError as error:
        return WorkerReply(status=ReplyStatus.UNDECIDED, message=error.message)
    except MemoryError:
        return WorkerReply(status=ReplyStatus.UNDECIDED, message=f"sympy ran out of memory during {job}")
    except RecursionError:
        return WorkerReply(status=ReplyStatus.UNDECIDED, message=f"sympy hit its recursion limit during {job}")
    except Exception as error:  # any sympy failure is an undecided check, reported with its type
        return WorkerReply(
            status=ReplyStatus.UNDECIDED, message=f"sympy failed during {job}: {type(error).__name__}: {error}"[:500]
        )


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
