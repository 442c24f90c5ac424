"""How often the embedded model's code is right, by sampling temperature: the ceiling that choosing among candidates can reach.

    .venv/bin/python benchmarks/sampling_temperature.py --server-binary PATH
        [--table junto/evals/data/code_rivals_heldout.jsonl] [--temperatures 0.2,0.5,0.8] [--n 6] [--out FILE]

Each request of a code table (``{"id", "instruction", "entry_point",
"hidden_tests", ...}``) is sent as the code specialist sends it (its system
prompt and :meth:`CodeSpecialist._prompt`, no feedback), once greedily and
``--n`` times at each temperature, one seed per candidate
(:class:`junto.agents._sampling.Sampling`, as a sampled round draws them).
Every candidate is parsed as the specialist parses it and run with the
request's hidden tests in the hardened Docker sandbox; junto's own checks
play no part.

For each temperature the report gives the share of candidates that pass
(pass@1), the unbiased pass@k of Chen et al. (2021) for k up to ``--n``
(the chance that some of k candidates drawn at that temperature passes:
what a perfect chooser could submit), the share of requests where some
candidate passes, and how many distinct programs a request's candidates
were. A temperature whose pass@k is highest is the one a sampled round
should draw at; if pass@k hardly rises above greedy pass@1, no chooser can
make sampling pay on this model.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from _common import ROOT, report_header, table_line, write_report
from junto.agents._code import _SYSTEM, CodeSpecialist, parse_code_reply
from junto.agents._sampling import Sampling
from junto.sandbox import DockerSandbox, Sandbox
from junto.tools.code._blocks import with_stub_imports

from junto._exceptions import JuntoError
from junto._tasks import TaskKind, TaskSpec
from junto.models import LlamaServerBackend, Message, ModelRequest

DEFAULT_TABLE = ROOT / "junto" / "evals" / "data" / "code_rivals_heldout.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "sampling_temperature.txt"
GREEDY = "greedy"


@dataclass(frozen=True)
class Request:
    id: str
    instruction: str
    entry_point: str
    hidden_tests: str


@dataclass(frozen=True)
class Candidate:
    request: str
    setting: str  # "greedy" or the temperature
    passed: bool
    program: str  # the parsed code, normalised ("" when the reply held none)
    tokens: int


def load_requests(path: Path) -> list[Request]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Request(r["id"], r["instruction"], r["entry_point"], r["hidden_tests"]) for r in rows]


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate of pass@k from ``n`` candidates of which ``c`` pass (Chen et al. 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def _normalised(code: str) -> str:
    try:
        return ast.unparse(ast.parse(code))
    except SyntaxError:
        return code.strip()


async def _draw(
    backend: LlamaServerBackend, sandbox: Sandbox, request: Request, setting: str, sampling: Sampling, max_tokens: int
) -> Candidate:
    task = TaskSpec(id="t", kind=TaskKind.CODE, instruction=request.instruction, entry_point=request.entry_point)
    asked = ModelRequest(
        messages=[Message.system(_SYSTEM), Message.user(CodeSpecialist()._prompt(task, {}, []))], max_tokens=max_tokens
    )
    completion = await backend.send(sampling.apply(asked), timeout=900)
    try:
        code = with_stub_imports(parse_code_reply(completion.text).code, request.instruction)
    except JuntoError:
        return Candidate(request.id, setting, False, "", completion.usage.completion_tokens)
    result = await sandbox.run(code + "\n\n" + request.hidden_tests, timeout=20)
    return Candidate(request.id, setting, result.ok, _normalised(code), completion.usage.completion_tokens)


async def measure(
    requests: list[Request], temperatures: list[float], n: int, *, binary: Path, slots: int, max_tokens: int
) -> list[Candidate]:
    draws: list[tuple[Request, str, Sampling]] = []
    for request in requests:
        draws.append((request, GREEDY, Sampling(0)))
        for temperature in temperatures:
            draws += [(request, f"{temperature:g}", Sampling(i, temperature, seed=i)) for i in range(1, n + 1)]
    gate = asyncio.Semaphore(slots)
    async with (
        LlamaServerBackend(binary=binary, slots=slots, slot_context=4096) as backend,
        DockerSandbox.start(pool_size=2) as sandbox,
    ):

        async def one(request: Request, setting: str, sampling: Sampling) -> Candidate:
            async with gate:
                return await _draw(backend, sandbox, request, setting, sampling, max_tokens)

        return list(await asyncio.gather(*(one(*d) for d in draws)))


def report(candidates: list[Candidate], n: int, *, header: list[str]) -> str:
    requests = sorted({c.request for c in candidates})
    settings = list(dict.fromkeys(c.setting for c in candidates))
    ks = [k for k in (1, 2, 4, 8, 16) if k <= n]
    lines = [*header, "", f"requests: {len(requests)}; candidates per request: 1 greedy, {n} at each temperature", ""]
    head = (
        "| setting | candidates | pass | "
        + " | ".join(f"pass@{k}" for k in ks)
        + " | some candidate passes | distinct programs per request | tokens per candidate |"
    )
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for setting in settings:
        mine = [c for c in candidates if c.setting == setting]
        by_request = {r: [c for c in mine if c.request == r] for r in requests}
        cells = []
        for k in ks:
            if k > len(next(iter(by_request.values()))):
                cells.append("n/a")
                continue
            estimate = sum(pass_at_k(len(cs), sum(c.passed for c in cs), k) for cs in by_request.values()) / len(requests)
            cells.append(f"{100 * estimate:.1f}%")
        some = sum(any(c.passed for c in cs) for cs in by_request.values())
        distinct = sum(len({c.program for c in cs if c.program}) for cs in by_request.values()) / len(requests)
        passed = sum(c.passed for c in mine)
        tokens = sum(c.tokens for c in mine) / len(mine)
        lines.append(
            f"| {setting} | {len(mine)} | {passed} ({100 * passed / len(mine):.1f}%) | "
            + " | ".join(cells)
            + f" | {some} of {len(requests)} | {distinct:.1f} | {tokens:.0f} |"
        )
    lines += ["", "passing candidates by request (setting: count):"]
    for r in requests:
        hits = {s: sum(c.passed for c in candidates if c.request == r and c.setting == s) for s in settings}
        if any(hits.values()):
            lines.append(f"  {r}: " + ", ".join(f"{s}: {h}" for s, h in hits.items()))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-binary", type=Path, required=True, help="llama-server (scripts/build-llama-server.sh)")
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--temperatures", default="0.2,0.5,0.8")
    parser.add_argument("--n", type=int, default=6, help="candidates per request at each temperature")
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    requests = load_requests(args.table)[: args.limit]
    temperatures = [float(t) for t in args.temperatures.split(",")]
    started = time.perf_counter()
    candidates = asyncio.run(
        measure(requests, temperatures, args.n, binary=args.server_binary, slots=args.slots, max_tokens=args.max_tokens)
    )
    header = [*report_header(__file__, argv, cores=True), table_line(args.table), f"wall: {time.perf_counter() - started:.0f} s"]
    text = report(candidates, args.n, header=header)
    print(text, end="")
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
