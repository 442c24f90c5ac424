"""The test runner that runs inside the sandbox (sent as its ``main.py``).

It is plain Python 3 with no imports from junto: the host reads this file's
text and ships it. Its job, given on stdin as one JSON line::

    {"token": "...", "sources": [{"origin": "user", "file": "test_user.py"}, ...],
     "variants": ["solution.py", "stub_none.py"], "entry_point": "f", "per_test_s": 5}

For each variant it imports the file as the module ``solution``, then runs
every test source against it, one unit at a time: a module-level ``assert``
is a test, a ``def test_...()`` function is a test, any other statement is
set-up. Each unit runs under its own alarm, with its prints captured. Every
result goes to the original stdout as one JSON line prefixed by the token
(read from stdin, never written to a file the code under test could read),
so a crash or a time-out still leaves the results of the tests before it.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import json
import os
import signal
import sys
import traceback

# The sandbox imports only what the runner uses; type checkers take this name as true and read the block.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import types
    from collections.abc import Callable
    from typing import Any, NoReturn

_OUTPUT_LIMIT = 2000


class _UnitTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: types.FrameType | None) -> NoReturn:
    raise _UnitTimeout("the test took longer than its time limit")


class _Reporter:
    def __init__(self, token: str) -> None:
        self._fd = os.dup(1)
        self._token = token

    def send(self, **record: Any) -> None:
        line = self._token + json.dumps(record) + "\n"
        os.write(self._fd, line.encode("utf-8", "replace"))


def _tail(text: str, limit: int = _OUTPUT_LIMIT) -> str:
    return text if len(text) <= limit else "..." + text[-limit:]


def _short_traceback(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    kept = [f for f in frames if os.path.basename(f.filename) != "main.py" and not f.filename.startswith("<frozen")]
    lines = traceback.format_list(kept) + traceback.format_exception_only(type(error), error)
    return _tail("".join(lines))


def _call_with_limit(function: Callable[[], object], seconds: float) -> tuple[BaseException | None, str]:
    """Run ``function`` with prints captured; return (error or None, captured output)."""
    buffer = io.StringIO()
    error: BaseException | None
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            function()
        error = None
    except BaseException as caught:  # noqa: BLE001 - the test decides what counts
        if isinstance(caught, KeyboardInterrupt):
            raise
        error = caught
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return error, buffer.getvalue()


def _describe(error: BaseException | None) -> str:
    if error is None:
        return ""
    if isinstance(error, AssertionError) and not str(error):
        return _short_traceback(error).rstrip() + " (the assertion was false)"
    if isinstance(error, SystemExit):
        return "SystemExit(" + repr(error.code) + "): the code called exit()"
    return _short_traceback(error)


def _explain(node: ast.Assert, namespace: dict[str, Any], per_test_s: float) -> str:
    """For a failed ``assert a == b``: the values of both sides, evaluated again."""
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.comparators) == 1):
        return ""
    values: list[str] = []
    for side in (test.left, test.comparators[0]):
        if isinstance(side, ast.Constant):
            values.append(repr(side.value))
            continue
        code = compile(ast.Expression(body=side), "<assert>", "eval")
        holder: list[object] = []

        def evaluate(code: types.CodeType = code) -> None:
            holder.append(eval(code, namespace))

        error, _ = _call_with_limit(evaluate, per_test_s)
        values.append(repr(holder[0])[:300] if holder and error is None else "(could not evaluate)")
    return "\nleft side:  " + values[0] + "\nright side: " + values[1]


def _units(tree: ast.Module, text: str) -> list[tuple[str, str, int, ast.stmt]]:
    """Split a test module into (kind, name, line, node) units in source order."""
    lines = text.splitlines()
    units: list[tuple[str, str, int, ast.stmt]] = []
    for node in tree.body:
        if isinstance(node, ast.Assert):
            snippet = " ".join(lines[node.lineno - 1 : node.end_lineno]).strip()
            units.append(("assert", "line " + str(node.lineno) + ": " + snippet[:120], node.lineno, node))
        else:
            units.append(("setup", "set-up at line " + str(node.lineno), node.lineno, node))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            units.append(("function", node.name, node.lineno, node))
    return units


def _load_variant(path: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("solution", path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load " + str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules["solution"] = module
    spec.loader.exec_module(module)
    return module


def _run_source(reporter: _Reporter, variant: str, module: types.ModuleType, source: dict[str, str], per_test_s: float) -> None:
    with open(source["file"], encoding="utf-8") as handle:
        text = handle.read()
    tree = ast.parse(text, filename=source["file"])
    namespace = {k: v for k, v in vars(module).items() if not (k.startswith("__") and k.endswith("__"))}
    namespace["__name__"] = "junto_tests"
    namespace["__builtins__"] = __builtins__
    for kind, name, line, node in _units(tree, text):
        reporter.send(event="start", variant=variant, origin=source["origin"], name=name)
        run: Callable[[], object]
        if kind == "function" and isinstance(node, ast.FunctionDef):
            target = namespace.get(node.name)
            if not callable(target):
                continue
            run = target
        else:
            run = _statement(compile(ast.Module(body=[node], type_ignores=[]), source["file"], "exec"), namespace)
        error, output = _call_with_limit(run, per_test_s)
        failed_assert = kind == "assert" and isinstance(error, AssertionError)
        detail = _explain(node, namespace, per_test_s) if failed_assert and isinstance(node, ast.Assert) else ""
        reporter.send(
            event="result",
            variant=variant,
            origin=source["origin"],
            name=name,
            kind=kind,
            line=line,
            passed=error is None,
            error=_describe(error) + detail,
            output=_tail(output),
        )


def _statement(code: types.CodeType, namespace: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        exec(code, namespace)

    return run


def main() -> None:
    job = json.loads(sys.stdin.readline())
    reporter = _Reporter(job["token"])
    signal.signal(signal.SIGALRM, _on_alarm)
    per_test_s = float(job.get("per_test_s", 5))
    entry_point = job.get("entry_point")
    for variant in job["variants"]:
        reporter.send(event="variant", variant=variant)
        holder: dict[str, types.ModuleType] = {}

        def load(variant: str = variant, holder: dict[str, types.ModuleType] = holder) -> None:
            holder["module"] = _load_variant(variant)

        error, output = _call_with_limit(load, per_test_s)
        if error is not None:
            reporter.send(event="import", variant=variant, ok=False, error=_describe(error), output=_tail(output))
            continue
        module = holder["module"]
        missing = bool(entry_point) and not callable(getattr(module, entry_point, None))
        reporter.send(event="import", variant=variant, ok=True, missing_entry_point=missing, output=_tail(output))
        for source in job["sources"]:
            _run_source(reporter, variant, module, source, per_test_s)
    reporter.send(event="done")


if __name__ == "__main__":
    main()
