"""The launcher that runs one program inside a sandbox container (sent as ``python3 -c``).

It is plain Python 3 with no imports from junto: the host reads this file's
text and ships it as the command of an exec. A warm-pool container has its
launcher started before any run needs it, so the interpreter's start-up and
the test runner's imports are paid while the pool fills, not while a
candidate waits. On stdin, when a run comes:

    {"size": N, "argv": ["x", "--y"]}\\n   one JSON line
    N bytes                                 a tar: main.py and the run's files
    the rest                                the program's own stdin

It unpacks the tar into the work dir (names were checked on the host), then
runs ``main.py`` as ``python3 main.py ARGV`` would: same ``sys.argv``,
``sys.path[0]``, ``__main__`` and ``__file__``, its exit status, a traceback
that starts in ``main.py``. Exit status 125 means no program came (stdin ended early).
The launcher reads stdin unbuffered, so nothing of the program's stdin is
consumed before the program reads it.
"""

import builtins
import importlib
import io
import json
import os
import sys
import tarfile
import traceback
import types

_NO_PROGRAM = 125
# What the test runner imports (tools/code/_runner.py): loaded while the launcher waits, not while the run does.
_PRELOAD = ("ast", "contextlib", "importlib.util", "signal")


def _read(size: int) -> bytes:
    parts = []
    while size > 0:
        part = os.read(0, min(size, 1 << 20))
        if not part:
            sys.exit(_NO_PROGRAM)
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _header() -> dict[str, object]:
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            sys.exit(_NO_PROGRAM)
        line += byte
    header: dict[str, object] = json.loads(line)
    return header


def main() -> None:
    header = _header()
    with tarfile.open(fileobj=io.BytesIO(_read(int(str(header["size"]))))) as archive:
        archive.extraction_filter = getattr(tarfile, "data_filter", None)  # where the Python has extraction filters
        archive.extractall(".")
    path = os.path.abspath("main.py")
    argv = header["argv"]
    sys.argv = ["main.py", *(str(arg) for arg in argv)] if isinstance(argv, list) else ["main.py"]
    sys.path[0] = os.path.dirname(path)
    program = types.ModuleType("__main__")  # the module python3 main.py runs the script in
    program.__dict__.update(
        __file__=path, __builtins__=builtins, __cached__=None, __package__=None, __spec__=None, __loader__=None
    )
    sys.modules["__main__"] = program
    try:
        with open(path, "rb") as script:
            code = compile(script.read(), path, "exec", dont_inherit=True)
        exec(code, program.__dict__)
    except SystemExit:
        raise
    except BaseException as error:  # printed as the interpreter would, from the program's own first frame
        frames = error.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename != path:
            frames = frames.tb_next
        traceback.print_exception(type(error), error, frames)
        sys.exit(130 if isinstance(error, KeyboardInterrupt) else 1)


if __name__ == "__main__":
    for _module in _PRELOAD:
        importlib.import_module(_module)
    main()
