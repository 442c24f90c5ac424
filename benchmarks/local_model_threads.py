"""The embedded model's speed with 1 thread against 2, side by side, in one run.

    .venv/bin/python benchmarks/local_model_threads.py [--rounds 3] [--out benchmarks/results/local_model_threads.txt]

Each round asks both (one llama.cpp instance per thread count, loaded once)
for the same completion, in turn: a prompt of about 430 tokens and 48 new
tokens at temperature 0. llama.cpp's threads spin while they wait for each
other, so on a shared machine a thread count equal to the core count can be
far slower than one less; junto's default is all cores but one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import llama_cpp

from junto.models._local import gguf_path

PROMPT = "Split the task into subtasks. " * 60 + "Task: compute 17*23, then write a Python function:"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    models = {n: llama_cpp.Llama(model_path=str(gguf_path()), n_ctx=2048, n_threads=n, verbose=False) for n in (1, 2)}
    seconds: dict[int, list[float]] = {n: [] for n in models}
    rates: dict[int, list[float]] = {n: [] for n in models}
    for i in range(args.rounds):
        for n, llm in models.items():
            llm.reset()
            started = time.perf_counter()
            out = llm.create_completion(f"{PROMPT} {i}", max_tokens=48, temperature=0)
            elapsed = time.perf_counter() - started
            seconds[n].append(elapsed)
            rates[n].append(out["usage"]["completion_tokens"] / elapsed)
    lines = [
        f"embedded model, 1 thread against 2, {args.rounds} rounds in turn; {os.cpu_count()} cores,"
        f" load average {os.getloadavg()[0]:.1f} at the end",
        f"{'threads':>7} {'median s a call':>16} {'median new tokens/s':>20}  each call's seconds",
    ]
    for n in models:
        each = ", ".join(f"{s:.2f}" for s in seconds[n])
        lines.append(f"{n:>7} {statistics.median(seconds[n]):16.2f} {statistics.median(rates[n]):20.1f}  {each}")
    ratio = statistics.median(seconds[2]) / statistics.median(seconds[1])
    lines.append(f"2 threads take {ratio:.2f}x the time of 1 (median a call)")
    report = "\n".join(lines)
    print(report)
    if args.out is not None:
        args.out.write_text(report + "\n")


if __name__ == "__main__":
    main()
