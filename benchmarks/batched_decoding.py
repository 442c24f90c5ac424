"""Decoding N candidates of one prompt on the embedded model: batched against sequential.

Three ways to draw N samples (temperature 0.8, one seed each) on this CPU:

- ``sequential``: N calls one after another to llama-cpp-python in this
  process, which is what junto's in-process ``LocalBackend`` does today (it
  serialises calls behind a lock);
- ``server``: N concurrent requests to llama.cpp's own ``llama-server``
  started with ``--parallel N`` (continuous batching: one forward pass
  advances every live slot), built by ``scripts/build-llama-server.sh`` from
  the llama.cpp that llama-cpp-python vendors;
- ``batch``: llama-cpp-python's low-level batch API in this process
  (``llama_batch`` with one sequence id per candidate, the prompt decoded
  once for all of them, then one ``llama_decode`` per step for every live
  sequence). Its high-level ``Llama`` class has no multi-sequence generate.

Every configuration runs ``--rounds`` times, interleaved (each round visits
every N and rotates the engines' order), so a noisy neighbour on this shared
machine hits all of them alike. Tokens/s is aggregate: tokens of all N
candidates over the wall time until the last one ends.

    python benchmarks/batched_decoding.py [--rounds 3] [--max-tokens 96] [--counts 1,2,4,8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from junto.models import LocalBackend, gguf_path

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "batched_decoding.txt"
PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."
TEMPERATURE = 0.8
TOP_K, TOP_P, MIN_P = 40, 0.95, 0.05  # llama-cpp-python's and llama-server's defaults
PER_SLOT_CONTEXT = 1024
ENGINES = ("sequential", "server", "batch")


@dataclass
class Draw:
    tokens: int
    seconds: float
    texts: list[str]

    @property
    def rate(self) -> float:
        return self.tokens / self.seconds


@dataclass
class Cell:
    draws: list[Draw] = field(default_factory=list)


def seeds_for(n: int, round_: int) -> list[int]:
    return [1000 * round_ + i + 1 for i in range(n)]


# -- sequential: llama-cpp-python, one call after another ---------------------------------------


def sequential(llama: Any, n: int, seeds: list[int], max_tokens: int) -> Draw:
    started = time.perf_counter()
    tokens, texts = 0, []
    for seed in seeds[:n]:
        result = llama.create_chat_completion(
            [{"role": "user", "content": PROMPT}],
            temperature=TEMPERATURE,
            top_k=TOP_K,
            top_p=TOP_P,
            min_p=MIN_P,
            max_tokens=max_tokens,
            seed=seed,
        )
        tokens += result["usage"]["completion_tokens"]
        texts.append(result["choices"][0]["message"]["content"] or "")
    return Draw(tokens, time.perf_counter() - started, texts)


# -- batch: llama-cpp-python's low-level multi-sequence decode ----------------------------------


class BatchDecoder:
    """One llama context per N with N sequences in a unified KV cache; the prompt is decoded once."""

    def __init__(self, llama: Any, *, threads: int) -> None:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.lib = llama_cpp
        self.llama = llama
        self.threads = threads
        self.vocab = llama_cpp.llama_model_get_vocab(llama.model)
        template = llama.metadata["tokenizer.chat_template"]
        eos, bos = llama.token_eos(), llama.token_bos()
        formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
        )
        prompt = formatter(messages=[{"role": "user", "content": PROMPT}]).prompt
        self.prompt = llama.tokenize(prompt.encode(), add_bos=False, special=True)
        self.contexts: dict[tuple[int, int], Any] = {}

    def _context(self, n: int, max_tokens: int) -> Any:
        if (n, max_tokens) not in self.contexts:
            params = self.lib.llama_context_default_params()
            params.n_ctx = len(self.prompt) + n * max_tokens + 256
            params.n_batch = max(512, len(self.prompt))
            params.n_seq_max = n
            params.kv_unified = True
            params.n_threads = params.n_threads_batch = self.threads
            ctx = self.lib.llama_init_from_model(self.llama.model, params)
            if not ctx:
                raise RuntimeError("llama.cpp could not create a batch context")
            self.contexts[n, max_tokens] = ctx
        return self.contexts[n, max_tokens]

    def _sampler(self, seed: int) -> Any:
        lib = self.lib
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_k(TOP_K))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(TOP_P, 1))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_min_p(MIN_P, 1))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(TEMPERATURE))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_dist(seed))
        return chain

    def __call__(self, n: int, seeds: list[int], max_tokens: int) -> Draw:
        lib = self.lib
        ctx = self._context(n, max_tokens)
        samplers = [self._sampler(seed) for seed in seeds[:n]]
        batch = lib.llama_batch_init(max(len(self.prompt), n), 0, n)
        started = time.perf_counter()
        try:
            lib.llama_memory_clear(lib.llama_get_memory(ctx), True)
            # The prompt once, each token belonging to all N sequences.
            batch.n_tokens = len(self.prompt)
            for i, token in enumerate(self.prompt):
                batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, i, n, False
                for s in range(n):
                    batch.seq_id[i][s] = s
            batch.logits[len(self.prompt) - 1] = True
            if lib.llama_decode(ctx, batch) != 0:
                raise RuntimeError("llama_decode failed on the prompt")
            index = [len(self.prompt) - 1] * n  # where each sequence's logits are in the last batch
            outputs: list[list[int]] = [[] for _ in range(n)]
            alive = [True] * n
            position = len(self.prompt)
            while True:
                batch.n_tokens = 0
                for s in range(n):
                    if not alive[s]:
                        continue
                    token = lib.llama_sampler_sample(samplers[s], ctx, index[s])
                    if lib.llama_vocab_is_eog(self.vocab, token):
                        alive[s] = False
                        continue
                    outputs[s].append(token)
                    if len(outputs[s]) >= max_tokens:
                        alive[s] = False
                        continue
                    j = batch.n_tokens
                    batch.token[j], batch.pos[j], batch.n_seq_id[j], batch.logits[j] = token, position, 1, True
                    batch.seq_id[j][0] = s
                    index[s] = j
                    batch.n_tokens += 1
                if batch.n_tokens == 0:
                    break
                if lib.llama_decode(ctx, batch) != 0:
                    raise RuntimeError("llama_decode failed")
                position += 1
            seconds = time.perf_counter() - started
        finally:
            lib.llama_batch_free(batch)
            for sampler in samplers:
                lib.llama_sampler_free(sampler)
        texts = [self.llama.detokenize(tokens).decode(errors="replace") for tokens in outputs]
        return Draw(sum(len(tokens) for tokens in outputs), seconds, texts)

    def close(self) -> None:
        for ctx in self.contexts.values():
            self.lib.llama_free(ctx)


# -- server: llama-server --parallel N, N concurrent requests -----------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, binary: Path, model: Path, *, slots: int, threads: int) -> None:
        self.port = free_port()
        self.slots = slots
        self.process = subprocess.Popen(
            [
                str(binary),
                "--model", str(model),
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--parallel", str(slots),
                "--ctx-size", str(slots * PER_SLOT_CONTEXT),
                "--threads", str(threads),
                "--threads-batch", str(threads),
                "--no-webui",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("llama-server did not become ready")

    async def draw(self, n: int, seeds: list[int], max_tokens: int) -> Draw:
        async def one(client: httpx.AsyncClient, seed: int) -> dict[str, Any]:
            body = {
                "messages": [{"role": "user", "content": PROMPT}],
                "temperature": TEMPERATURE,
                "top_k": TOP_K,
                "top_p": TOP_P,
                "min_p": MIN_P,
                "max_tokens": max_tokens,
                "seed": seed,
            }
            response = await client.post(f"{self.url}/v1/chat/completions", json=body)
            response.raise_for_status()
            return response.json()

        async with httpx.AsyncClient(timeout=600) as client:
            started = time.perf_counter()
            results = await asyncio.gather(*(one(client, seed) for seed in seeds[:n]))
            seconds = time.perf_counter() - started
        tokens = sum(result["usage"]["completion_tokens"] for result in results)
        texts = [result["choices"][0]["message"]["content"] or "" for result in results]
        return Draw(tokens, seconds, texts)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def build_server() -> Path:
    script = ROOT / "scripts" / "build-llama-server.sh"
    out = subprocess.run([str(script)], check=True, stdout=subprocess.PIPE, text=True).stdout
    return Path(out.strip().splitlines()[-1])


# -- the run ------------------------------------------------------------------------------------


def measure(rounds: int, max_tokens: int, counts: list[int], engines: list[str], *, threads: int) -> dict[tuple[str, int], Cell]:
    backend = LocalBackend(n_threads=threads)
    asyncio.run(backend.start())
    llama = backend._loaded.llama  # the very object junto's in-process engine uses
    decoder = BatchDecoder(llama, threads=threads) if "batch" in engines else None
    servers: dict[int, Server] = {}
    if "server" in engines:
        binary = build_server()
        servers = {n: Server(binary, gguf_path(), slots=n, threads=threads) for n in counts}
        for server in servers.values():
            server.wait_ready()
    runners: dict[str, Callable[[int, list[int], int], Draw]] = {
        "sequential": lambda n, seeds, limit: sequential(llama, n, seeds, limit),
        "server": lambda n, seeds, limit: asyncio.run(servers[n].draw(n, seeds, limit)),
        "batch": lambda n, seeds, limit: decoder(n, seeds, limit) if decoder else Draw(0, 1, []),
    }
    try:
        for engine in engines:  # warm-up, not counted: loads, first prompt, server slots
            for n in counts:
                runners[engine](n, seeds_for(n, 99), 8)
        cells: dict[tuple[str, int], Cell] = {(engine, n): Cell() for engine in engines for n in counts}
        for round_ in range(rounds):
            for n in counts:
                shift = (round_ + counts.index(n)) % len(engines)
                for engine in engines[shift:] + engines[:shift]:
                    draw = runners[engine](n, seeds_for(n, round_), max_tokens)
                    cells[engine, n].draws.append(draw)
                    print(
                        f"round {round_ + 1} N={n} {engine:<10} {draw.tokens:4d} tok {draw.seconds:6.2f} s "
                        f"{draw.rate:6.1f} tok/s  distinct={len(set(draw.texts))}/{n}",
                        file=sys.stderr,
                        flush=True,
                    )
        return cells
    finally:
        for server in servers.values():
            server.stop()
        if decoder:
            decoder.close()


def report(
    cells: dict[tuple[str, int], Cell],
    *,
    rounds: int,
    max_tokens: int,
    counts: list[int],
    engines: list[str],
    load: str,
    threads: int,
) -> str:
    lines = [
        f"command: python benchmarks/batched_decoding.py --rounds {rounds} --max-tokens {max_tokens} "
        f"--counts {','.join(map(str, counts))} --engines {','.join(engines)} --threads {threads}",
        f"model: {gguf_path().name}; {threads} llama.cpp threads on {os.cpu_count()} cores; temperature {TEMPERATURE}, one seed per candidate",
        f"engines: {', '.join(engines)}; {rounds} rounds interleaved (engine order rotates), medians shown",
        f"load average at start: {load} (shared machine: other work was running)",
        "tok/s: aggregate over the N candidates (all their tokens / wall time to the last one)",
        "ratio: median over rounds of (engine tok/s) / (sequential tok/s in the same round)",
        "",
        "   N  engine       tokens   wall s    tok/s  ratio  distinct",
    ]
    for n in counts:
        base = cells.get(("sequential", n))
        for engine in engines:
            draws = cells[engine, n].draws
            tokens = statistics.median(d.tokens for d in draws)
            wall = statistics.median(d.seconds for d in draws)
            rate = statistics.median(d.rate for d in draws)
            ratio = statistics.median(d.rate / b.rate for d, b in zip(draws, base.draws, strict=True)) if base else float("nan")
            distinct = min(len(set(d.texts)) for d in draws)
            lines.append(f"{n:4d}  {engine:<10} {tokens:8.0f} {wall:8.2f} {rate:8.1f} {ratio:6.2f}  {distinct}/{n}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--counts", default="1,2,4,8", help="candidate counts N, comma-separated")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"a subset of {','.join(ENGINES)}")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="llama.cpp threads, every engine")
    parser.add_argument("--no-save", action="store_true", help=f"print only; do not write {RESULT.name}")
    args = parser.parse_args()
    counts = [int(part) for part in args.counts.split(",")]
    engines = [part for part in args.engines.split(",") if part]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed run still stops its servers
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    cells = measure(args.rounds, args.max_tokens, counts, engines, threads=args.threads)
    text = report(
        cells,
        rounds=args.rounds,
        max_tokens=args.max_tokens,
        counts=counts,
        engines=engines,
        load=load,
        threads=args.threads,
    )
    print(text, end="")
    if not args.no_save:
        RESULT.write_text(text)


if __name__ == "__main__":
    main()
