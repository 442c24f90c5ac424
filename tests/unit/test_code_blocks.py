"""Fenced Python blocks, and a stub's imports carried into code that needs them."""

from __future__ import annotations

import ast

from junto.tools.code._blocks import python_blocks, stub_imports, with_stub_imports

STUB = (
    "Complete this:\n\n```python\nfrom typing import List, Optional\nimport math as m\nimport os.path\n\n\n"
    'def f(xs: List[int]) -> Optional[int]:\n    """Doc."""\n```\n'
)


def test_python_blocks_reads_closed_blocks_only() -> None:
    text = "a\n```python\nx = 1\n```\nb\n```\ny = 2\n```\n```python\nz = 3\n"
    assert python_blocks(text) == ["x = 1\n", "y = 2\n"]


def test_stub_imports_are_read_once_each_from_blocks_that_parse() -> None:
    text = STUB + "\n```python\nfrom typing import List, Optional\ndef (\n```\n```python\nimport json\n```\n"
    assert [ast.unparse(node) for node in stub_imports(text)] == [
        "from typing import List, Optional",
        "import math as m",
        "import os.path",
        "import json",
    ]


def test_only_the_imports_the_code_uses_and_lacks_are_added() -> None:
    code = "def f(xs: List[int]):\n    return m.floor(sum(xs))\n"
    assert with_stub_imports(code, STUB) == f"from typing import List, Optional\nimport math as m\n\n{code}"


def test_code_that_binds_the_names_itself_is_unchanged() -> None:
    code = "from typing import List\nimport math as m\n\ndef f(xs: List[int]):\n    return m.floor(sum(xs))\n"
    assert with_stub_imports(code, STUB) == code
    local = "def f(xs):\n    List = list\n    return List(xs)\n"
    assert with_stub_imports(local, STUB) == local


def test_dotted_imports_bind_their_first_name() -> None:
    code = "def f(p):\n    return os.path.basename(p)\n"
    assert with_stub_imports(code, STUB) == f"import os.path\n\n{code}"


def test_no_stub_no_imports_or_code_that_does_not_parse_is_unchanged() -> None:
    code = "def f(xs: List[int]):\n    return xs\n"
    assert with_stub_imports(code, "Write f(xs) returning xs.") == code
    broken = "def f(xs: List[int]:\n"
    assert with_stub_imports(broken, STUB) == broken
    assert with_stub_imports(code, "```python\nfrom typing import *\n```\n") == code
