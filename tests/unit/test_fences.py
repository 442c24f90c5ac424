"""The one reader of fenced code blocks: what every checker and scorer sees as code in a text."""

from __future__ import annotations

from junto.tools.code._blocks import python_blocks

from junto._fences import enclosed, fences, without_fences
from junto.evals import extract_code_blocks

REPLY = "Here:\n```python\ndef f():\n    return 1\n```\nand a shell line\n```bash\nls -l\n```\nthen:\n```PY3 title=x\nx = 2\n```"


def test_blocks_their_language_and_body() -> None:
    found = fences(REPLY)
    assert [f.language for f in found] == ["python", "bash", "py3"]
    assert found[0].body == "def f():\n    return 1\n"
    assert REPLY[found[1].start : found[1].end] == "```bash\nls -l\n```"


def test_python_readers_agree() -> None:
    text = "```\nuntagged = 1\n```\n```Python\ntagged = 2\n```\n```js\nno = 3\n```\n```py\nshort = 4\n```"
    assert python_blocks(text) == ["untagged = 1\n", "tagged = 2\n", "short = 4\n"]
    assert extract_code_blocks(text) == python_blocks(text)


def test_an_unclosed_block_is_code_only_when_asked() -> None:
    cut = "Answer:\n```python\ndef f():\n    return"
    assert fences(cut) == []
    assert [f.body for f in fences(cut, unclosed=True)] == ["def f():\n    return"]
    assert without_fences(cut, unclosed=True) == "Answer:\n "
    assert without_fences(cut) == cut


def test_enclosed_is_the_body_of_a_text_that_is_one_block() -> None:
    assert enclosed('  ```json\n{"a": 1}\n```\n') == '{"a": 1}\n'
    assert enclosed('Here:\n```json\n{"a": 1}\n```') is None
    assert enclosed("```\na\n```\n```\nb\n```") is None
    assert enclosed('{"a": 1}') is None


def test_prose_that_names_a_fence_does_not_open_one() -> None:
    text = (
        "Answer in a single ```python fence, please.\n\n```python\nimport math\n\ndef area(r):\n    return math.pi * r * r\n```\n"
    )
    (block,) = fences(text)
    assert block.body.startswith("import math") and block.is_python
    assert without_fences(text, replacement="") == "Answer in a single ```python fence, please.\n\n\n"
    # after other text on its line, a bare language still opens a block, as models write them
    (reply,) = fences("Sure, here you go: ```py\nprint(2)\n```")
    assert reply.body == "print(2)\n"
