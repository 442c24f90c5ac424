"""Python code in text: its fenced blocks, and the imports a stub gives.

An instruction may hold a stub to complete (``from typing import List`` and
a signature with its docstring). A model that writes the function but not
the stub's imports gives code that fails on its own with ``NameError``,
though it is what was asked for; :func:`with_stub_imports` carries over the
stub's imports that the code uses and does not bind itself.
"""

from __future__ import annotations

import ast
import textwrap

from junto._fences import fences

__all__ = ["python_blocks", "stub_imports", "with_stub_imports"]


def python_blocks(text: str) -> list[str]:
    """The contents of the closed ```` ```python ```` (or bare ```` ``` ````) blocks in ``text``, in order."""
    return [fence.body for fence in fences(text) if fence.is_python]


def stub_imports(instruction: str) -> list[ast.Import | ast.ImportFrom]:
    """The top-level import statements of the Python blocks in ``instruction`` (blocks that do not parse are skipped)."""
    found: list[ast.Import | ast.ImportFrom] = []
    seen: set[str] = set()
    for block in python_blocks(instruction):
        try:
            tree = ast.parse(textwrap.dedent(block))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and (line := ast.unparse(node)) not in seen:
                seen.add(line)
                found.append(node)
    return found


def _bound_by_import(node: ast.Import | ast.ImportFrom) -> set[str]:
    return {alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"}


def _names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names ``tree`` reads, and the names it binds anywhere."""
    used: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= _bound_by_import(node)
    return used, bound


def with_stub_imports(code: str, instruction: str) -> str:
    """``code`` with the stub's imports it needs put first; unchanged when it needs none or does not parse."""
    imports = stub_imports(instruction)
    if not imports:
        return code
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    used, bound = _names(tree)
    needed = [ast.unparse(node) for node in imports if _bound_by_import(node) & (used - bound)]
    if not needed:
        return code
    return "\n".join(needed) + "\n\n" + code
