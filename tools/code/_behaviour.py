"""What a program does on shared inputs: the signature that clusters code candidates.

Several candidates for one function agree when they return the same values
on the same inputs. The inputs come from every call that the instruction's
examples and all candidates' own tests make to the function with literal
arguments (``f(3)``, ``f([1, 2], key='a')``); each candidate runs once in
the sandbox on all of them, and what it returns (or the type of error it
raises) on each is its signature. Candidates with the same signature behave
the same: the largest such group is the answer the samples agree on
(AlphaCode's clustering; the inputs from each other's tests echo CodeT's
dual execution agreement). Agreement ranks candidates; it never verifies one.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable

from junto.sandbox._types import Sandbox

__all__ = ["behaviour", "shared_calls"]

_MAX_CALLS = 24

_PROBE = """
import json as _json
_calls = {calls}
_seen = []
for _call in _calls:
    try:
        _seen.append(repr(eval(_call)))
    except Exception as _error:
        _seen.append("raises " + type(_error).__name__)
print("\\n" + _json.dumps(_seen))
"""


def shared_calls(entry_point: str, sources: Iterable[str]) -> list[str]:
    """Distinct calls to ``entry_point`` with literal arguments in ``sources`` (tests, examples), as source text."""
    calls: list[str] = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == entry_point and _literal(node):
                text = ast.unparse(node)
                if text not in calls:
                    calls.append(text)
    return calls[:_MAX_CALLS]


def _literal(call: ast.Call) -> bool:
    try:
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            ast.literal_eval(argument)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return all(k.arg is not None for k in call.keywords)


async def behaviour(sandbox: Sandbox, code: str, calls: list[str], *, timeout_s: float = 10.0) -> tuple[str | None, float]:
    """What ``code`` returns on each of ``calls``, as one string (``None`` when it cannot be run to the end), and the sandbox seconds spent."""
    if not calls:
        return None, 0.0
    program = f"{code}\n\n{_PROBE.format(calls=json.dumps(calls))}"
    result = await sandbox.run(program, timeout=timeout_s)
    if result.exit_code != 0 or result.timed_out:
        return None, result.duration_s
    last = result.stdout.strip().splitlines()[-1:] or [""]
    try:
        seen = json.loads(last[0])
    except ValueError:
        return None, result.duration_s
    key = json.dumps(seen) if isinstance(seen, list) and len(seen) == len(calls) else None
    return key, result.duration_s
