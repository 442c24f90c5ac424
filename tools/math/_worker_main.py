"""The math worker process: ``python -m junto.tools.math._worker_main IN_FD OUT_FD``.

Reads ``(job, args)`` from one pipe and writes ``(status, value)`` to the
other, for as long as the parent keeps it. See :mod:`._math_worker`.
"""

from __future__ import annotations

import importlib
import sys
from multiprocessing.connection import Connection

from junto.tools.math._worker import JOBS, MEMORY_LIMIT_BYTES

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
    compare_module, compare_name = JOBS["compare"]
    getattr(importlib.import_module(compare_module), compare_name)("\\frac{1}{2} + x^2", "0.5 + x**2")

    conn.send(("ready", None))
    while True:
        try:
            job, args = inbox.recv()
        except EOFError:
            return
        try:
            module, name = JOBS[job]
            function = getattr(importlib.import_module(module), name)
            conn.send(("ok", function(*args)))
        except CheckError as error:
            conn.send(("check", error.message))
        except MemoryError:
            conn.send(("check", f"sympy ran out of memory during {job}"))
        except RecursionError:
            conn.send(("check", f"sympy hit its recursion limit during {job}"))
        except Exception as error:  # any sympy failure is an undecided check, reported with its type
            conn.send(("check", f"sympy failed during {job}: {type(error).__name__}: {error}"[:500]))


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
