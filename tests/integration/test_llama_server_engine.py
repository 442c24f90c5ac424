"""The embedded model behind a managed llama-server: two candidates decoded concurrently in two slots."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from junto.models import LlamaServerBackend, Message, ModelRequest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def llama_server_binary() -> Path:
    # Built by `make test`; the script is idempotent and only prints the cached binary's path then.
    out = subprocess.run(
        [str(ROOT / "scripts" / "build-llama-server.sh")], check=True, stdout=subprocess.PIPE, text=True, timeout=3600
    ).stdout
    return Path(out.strip().splitlines()[-1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_candidates_decode_concurrently_with_distinct_seeds(llama_server_binary: Path) -> None:
    backend = LlamaServerBackend(binary=llama_server_binary, slots=2, slot_context=512)
    assert backend.pid is None  # the constructor starts nothing
    async with backend:
        pid = backend.pid
        assert pid is not None and _alive(pid)
        requests = [
            ModelRequest(messages=[Message.user("Invent a name for a new colour.")], temperature=1.0, max_tokens=12, seed=seed)
            for seed in (11, 12)
        ]
        first, second = await asyncio.gather(*(backend.send(request, timeout=120) for request in requests))
        for completion in (first, second):
            assert completion.text.strip()
            assert completion.usage.completion_tokens > 0
            assert completion.finish_reason in ("stop", "length")
        assert first.text != second.text  # distinct seeds, distinct candidates
    assert backend.pid is None and not _alive(pid)  # stopped by the block's end


class _Colour(BaseModel):
    name: str


async def test_bounds_in_the_schema_sent_hold_the_output(llama_server_binary: Path) -> None:
    """The server's grammar follows a request's own schema, here a bound on a string's length."""
    schema = _Colour.model_json_schema()
    schema["properties"]["name"]["maxLength"] = 5
    request = ModelRequest(
        messages=[Message.user("Describe the colour of the sea at dawn at length, as JSON with a name field.")],
        output_type=_Colour,
        output_schema=schema,
        max_tokens=48,
    )
    async with LlamaServerBackend(binary=llama_server_binary, slots=1, slot_context=512) as backend:
        completion = await backend.send(request, timeout=120)
    assert 0 < len(_Colour.model_validate_json(completion.text).name) <= 5


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its reaper."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_the_server_dies_with_a_junto_killed_outright(llama_server_binary: Path) -> None:
    # SIGKILL runs no finalizer: only the kernel can stop the orphan, through the parent-death signal
    script = (
        "import asyncio, pathlib, time\n"
        "from junto.models import LlamaServerBackend\n"
        "async def main():\n"
        f"    backend = LlamaServerBackend(binary=pathlib.Path({str(llama_server_binary)!r}), slots=1, slot_context=256)\n"
        "    await backend.__aenter__()\n"
        "    print(backend.pid, flush=True)\n"
        "    time.sleep(600)\n"
        "asyncio.run(main())\n"
    )
    junto = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert junto.stdout is not None
        pid = int(junto.stdout.readline())
        assert _running(pid)
    finally:
        junto.kill()
        junto.wait()
    deadline = time.monotonic() + 20
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(pid)
