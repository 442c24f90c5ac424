"""Tokens per second of the embedded model: raw llama-cpp-python against junto's local ChatModel.

Same prompts, same loaded weights, same settings, interleaved in one run (the
order alternates each round so neither side always gets a warm prompt
cache). Target: junto at least 95% of raw, both for a whole completion and
for a stream.

    python benchmarks/local_model_speed.py [--rounds 3] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from junto.models import ChatModel, LocalBackend, Message, ModelRequest

PROMPTS = [
    "Explain in two sentences why the sky is blue.",
    "Write a short Python function that reverses a string.",
    "List three uses of prime numbers.",
    "Describe a cat to someone who has never seen one.",
]
RESULT = Path(__file__).parent / "results" / "local_model_speed.txt"


def raw_complete(llama, prompt: str, max_tokens: int) -> int:
    result = llama.create_chat_completion([{"role": "user", "content": prompt}], temperature=0.0, max_tokens=max_tokens)
    return result["usage"]["completion_tokens"]


def raw_stream(llama, prompt: str, max_tokens: int) -> int:
    tokens = 0
    for chunk in llama.create_chat_completion(
        [{"role": "user", "content": prompt}], temperature=0.0, max_tokens=max_tokens, stream=True
    ):
        if chunk["choices"][0]["delta"].get("content"):
            tokens += 1
    return tokens


async def junto_complete(model: ChatModel, prompt: str, max_tokens: int) -> int:
    completion = await model.complete(ModelRequest(messages=[Message.user(prompt)], max_tokens=max_tokens))
    return completion.usage.completion_tokens


async def junto_stream(model: ChatModel, prompt: str, max_tokens: int) -> int:
    usage = None
    async for chunk in model.stream(ModelRequest(messages=[Message.user(prompt)], max_tokens=max_tokens)):
        usage = chunk.usage or usage
    return usage.completion_tokens if usage else 0


async def measure(rounds: int, max_tokens: int) -> dict[str, dict[str, float]]:
    backend = LocalBackend()
    await backend.start()
    llama = backend._loaded.llama  # the very object junto uses: same weights, threads and context
    model = ChatModel(backend, name="local")
    rates: dict[str, dict[str, list[float]]] = {mode: {"raw": [], "junto": []} for mode in ("complete", "stream")}

    async def timed(side: str, mode: str, prompt: str) -> float:
        started = time.perf_counter()
        if side == "raw":
            tokens = (raw_complete if mode == "complete" else raw_stream)(llama, prompt, max_tokens)
        else:
            tokens = await (junto_complete if mode == "complete" else junto_stream)(model, prompt, max_tokens)
        return tokens / (time.perf_counter() - started)

    await junto_complete(model, "Hello", 8)  # warm-up, not counted
    raw_complete(llama, "Hello", 8)
    for round_ in range(rounds):
        order = ("raw", "junto") if round_ % 2 == 0 else ("junto", "raw")
        for prompt in PROMPTS:
            for mode in ("complete", "stream"):
                for side in order:
                    rates[mode][side].append(await timed(side, mode, prompt))
    # Each raw/junto pair ran back to back on the same prompt: their ratio is robust to load
    # from other processes drifting over the run; the median of those ratios is the verdict.
    return {
        mode: {
            "raw": statistics.median(sides["raw"]),
            "junto": statistics.median(sides["junto"]),
            "ratio": statistics.median(j / r for j, r in zip(sides["junto"], sides["raw"], strict=True)),
            "pairs": len(sides["raw"]),
        }
        for mode, sides in rates.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    load = os.getloadavg()
    results = asyncio.run(measure(args.rounds, args.max_tokens))
    lines = [
        f"command: python benchmarks/local_model_speed.py --rounds {args.rounds} --max-tokens {args.max_tokens}",
        f"prompts: {len(PROMPTS)} x {args.rounds} rounds, interleaved, temperature 0",
        "",
        f"load average at start: {' '.join(f'{x:.2f}' for x in load)} ({os.cpu_count()} cores)",
        "tok/s: median over calls; ratio: median of junto/raw over back-to-back pairs",
        "",
        f"{'mode':<10}{'raw tok/s':>12}{'junto tok/s':>14}{'ratio':>8}  target >= 0.95",
    ]
    ok = True
    for mode, figures in results.items():
        ratio = figures["ratio"]
        ok = ok and ratio >= 0.95
        lines.append(
            f"{mode:<10}{figures['raw']:>12.1f}{figures['junto']:>14.1f}{ratio:>8.3f}  {'ok' if ratio >= 0.95 else 'BELOW'}"
        )
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
