"""Tests that prove nothing, found before they can vouch for code.

A model that writes both the code and its tests can write tests that always
pass. A model-written test does not count when

- it asserts nothing: no ``assert``, ``raise``, ``pytest.raises`` or
  ``assert*`` call, or it asserts only on constants (``assert True``,
  ``assert 1 == 1``) or compares an expression with itself;
- it passes against a stub of the code: the same functions and classes with
  every body replaced by ``return None`` (stub ``none``) or
  ``raise NotImplementedError`` (stub ``raise``).

User tests and the instruction's examples are never judged here: they
always count. But no test proves anything about a function that never reads
its arguments (``def f(n): return [1, 2, 6, 24, 15]``, the stated example's
output written in): :func:`functions_ignoring_inputs` finds those among the
functions the tests call.
"""

from __future__ import annotations

import ast
import copy

from junto.tools.code._tests import CodeCheckReport, TestOrigin

__all__ = ["STUB_NAMES", "functions_ignoring_inputs", "stub_implementations", "tests_that_prove_nothing", "trivial_tests"]

STUB_NAMES = ("none", "raise")


def _refers_to_something(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Name, ast.Call, ast.Attribute)) for n in ast.walk(node))


def _trivial_assert(node: ast.Assert) -> str | None:
    test = node.test
    if not _refers_to_something(test):
        return f"asserts a constant: {ast.unparse(test)[:80]}"
    if isinstance(test, ast.Compare) and len(test.comparators) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is)):
        if ast.dump(test.left) == ast.dump(test.comparators[0]):
            return f"compares an expression with itself: {ast.unparse(test)[:80]}"
    return None


def _is_raises_or_assert_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("raises", "fail") or name.startswith("assert")


def _trivial_function(node: ast.FunctionDef) -> str | None:
    asserts = [n for n in ast.walk(node) if isinstance(n, ast.Assert)]
    other_checks = any(isinstance(n, ast.Raise) or _is_raises_or_assert_call(n) for n in ast.walk(node))
    if other_checks:
        return None
    if not asserts:
        return "asserts nothing"
    reasons = [_trivial_assert(a) for a in asserts]
    if all(reasons):
        return "only " + "; ".join(r for r in reasons if r)
    return None


def trivial_tests(source: str) -> dict[int, str]:
    """Lines of tests in ``source`` that assert nothing, with the reason."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[int, str] = {}
    for node in tree.body:
        reason: str | None = None
        if isinstance(node, ast.Assert):
            reason = _trivial_assert(node)
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            reason = _trivial_function(node)
        if reason:
            found[node.lineno] = reason
    return found


class _Stubber(ast.NodeTransformer):
    def __init__(self, body: list[ast.stmt]) -> None:
        self._body = body

    def _stub(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        docstring = ast.get_docstring(node, clean=False)
        keep = [node.body[0]] if docstring is not None else []
        node.body = keep + copy.deepcopy(self._body)
        node.decorator_list = [d for d in node.decorator_list if _is_plain_decorator(d)]
        return node

    visit_FunctionDef = _stub
    visit_AsyncFunctionDef = _stub


def _is_plain_decorator(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("staticmethod", "classmethod", "property")


def _keeps_at_stub_level(node: ast.stmt) -> bool:
    """Imports, definitions and literal constants survive; module-level calls do not."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        try:
            ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
        return True
    return False


def stub_implementations(code: str) -> dict[str, str]:
    """The code's functions and classes with empty bodies, by stub name ({} if it does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    bodies: dict[str, list[ast.stmt]] = {
        "none": [ast.Return(value=ast.Constant(value=None))],
        "raise": [ast.Raise(exc=ast.Name(id="NotImplementedError", ctx=ast.Load()), cause=None)],
    }
    stubs: dict[str, str] = {}
    for name in STUB_NAMES:
        module = copy.deepcopy(tree)
        module.body = [node for node in module.body if _keeps_at_stub_level(node)]
        module = _Stubber(bodies[name]).visit(module)
        stubs[name] = ast.unparse(ast.fix_missing_locations(module))
    return stubs


def tests_that_prove_nothing(report: CodeCheckReport, model_tests: str) -> dict[int, str]:
    """Lines of the model's tests that do not count, with the reason."""
    discarded = trivial_tests(model_tests)
    for stub, outcomes in report.stub_outcomes.items():
        for outcome in outcomes:
            if outcome.origin is TestOrigin.MODEL and outcome.is_test and outcome.passed:
                discarded.setdefault(outcome.line, f"passes even when every function is a stub ({stub})")
    return discarded


_SCOPE_READERS = {"locals", "vars", "eval", "exec"}  # they can read the arguments without naming them


def _called_names(tests: tuple[str, ...]) -> set[str]:
    """The plain names called in each of ``tests`` (one that does not parse gives none)."""
    called: set[str] = set()
    for source in tests:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        called |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return called


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = node.args
    named = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
    return [a.arg for a in named]


def functions_ignoring_inputs(code: str, *tests: str) -> dict[str, str]:
    """The top-level functions that ``tests`` call and whose body never reads a parameter, with why that matters.

    The last definition of a name is the one that runs. Functions without
    parameters, or whose body calls ``locals()``, ``vars()``, ``eval`` or
    ``exec``, and code that does not parse, give nothing.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    defined = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found: dict[str, str] = {}
    for name in sorted(_called_names(tests) & defined.keys()):
        parameters = _parameters(defined[name])
        read = {n.id for statement in defined[name].body for n in ast.walk(statement) if isinstance(n, ast.Name)}
        if parameters and not read & {*parameters, *_SCOPE_READERS}:
            found[name] = (
                f"{name}() never reads its arguments ({', '.join(parameters)}): it gives the same result for every input, "
                "so tests that pass show outputs written into the code, not computed"
            )
    return found
