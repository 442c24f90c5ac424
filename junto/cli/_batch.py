"""``junto batch FILE.jsonl``: many runs, one JSON line of results each, resumable, here or on Ray.

Progress goes to stderr: a live bar with runs done, failed and per node on a
terminal, one plain line per finished run otherwise. The results file gets
one JSON line per run; running the same command again finishes only what is
left (see :mod:`junto.scale._batch`). Exit status: 0 when every run has a
line and none failed, 1 when some failed, 2 for usage and setup errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from junto.cli._app import app
from junto.cli._async import run_coroutine

if TYPE_CHECKING:
    from junto._config import JuntoConfig
    from junto.scale import BatchItem, BatchLine, BatchSummary

__all__ = ["batch_command", "engine_address"]

RAY_OPTION_HELP = "Run on the Ray cluster at ADDRESS (auto: $RAY_ADDRESS, else a new local cluster); needs junto[ray]."


def engine_address(ray: str | None, config_path: Path | None) -> str | None:
    """The Ray address to run on (``None``: this process): ``--ray`` wins, then ``engine = "ray"`` in junto.toml."""
    if ray is not None:
        return ray
    from junto._config import load_config

    return "auto" if load_config(config_path).engine == "ray" else None


@app.command("batch", epilog="\b\nExample:\n  junto batch tasks.jsonl --concurrency 2 --out results.jsonl")
def batch_command(
    file: Path = typer.Argument(
        ..., help='JSONL, one run a line: {"id": "q1", "task": "..."} or {"id": "g1", "graph": "module:attr"}.'
    ),
    out: Path | None = typer.Option(None, "--out", help="Results file, one JSON line per run (default: FILE.results.jsonl)."),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to use (default: search order)."),
    ray: str | None = typer.Option(None, "--ray", help=RAY_OPTION_HELP, metavar="ADDRESS"),
    concurrency: int = typer.Option(4, "--concurrency", min=1, max=256, help="Runs at once on this machine, or per Ray node."),
    store: str | None = typer.Option(None, "--store", help="Run store (path or postgresql:// URL) shared by every node."),
    samples: int | None = typer.Option(None, "--samples", min=1, max=32, help="Candidates each specialist draws per round."),
) -> None:
    """Run every task in FILE; a second run finishes only what is left."""
    from junto._config import load_config
    from junto.scale import read_batch

    items = read_batch(file)
    results = out or file.with_name(file.stem + ".results.jsonl")
    loaded = load_config(config)
    config_toml = loaded.source.read_text(encoding="utf-8") if loaded.source is not None else None
    address = engine_address(ray, config)
    summary = run_coroutine(
        _batch(
            items, results, loaded, config_toml, address, concurrency, store or loaded.store.url, samples, Console(stderr=True)
        )
    )
    Console().print(
        f"{summary.total} runs: {summary.done} done now, {summary.skipped} done before, {summary.failed} failed; "
        f"results in {results}",
        highlight=False,
    )
    if summary.failed:
        raise typer.Exit(1)


async def _batch(
    items: list[BatchItem],
    results: Path,
    loaded: JuntoConfig,
    config_toml: str | None,
    address: str | None,
    concurrency: int,
    store: str | None,
    samples: int | None,
    console: Console,
) -> BatchSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from junto.scale import done_ids, open_pool, run_batch, uses_local_model

    already = len(done_ids(results) & {item.id for item in items})
    lost: list[str] = []

    def on_lost(node: str, reason: str) -> None:
        lost.append(node)
        console.print(f"node {node} lost ({reason}); its runs go to other nodes and resume there", highlight=False)

    async with open_pool(
        ray_address=address, config_toml=config_toml, store=store, slots=concurrency, samples=samples, on_lost=on_lost
    ) as pool:
        where = "this machine" if address is None else f"Ray, {len(pool.alive())} nodes"
        console.print(f"{len(items)} runs ({already} done before) on {where}, {pool.capacity} at once", highlight=False)
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
            bar = progress.add_task("batch", total=len(items), completed=already)

            def on_line(line: BatchLine, summary: BatchSummary) -> None:
                progress.update(
                    bar,
                    advance=1,
                    description=f"done {summary.done + already} failed {summary.failed} | {summary.nodes_text()}",
                )
                if not console.is_terminal:
                    console.print(
                        f"[{summary.done + already}/{summary.total}] {line.id} {line.status} on {line.node}"
                        f" ({line.duration_s:.1f}s){' ' + line.error if line.error else ''}",
                        highlight=False,
                        markup=False,
                    )

            return await run_batch(items, pool, results=results, local_model=uses_local_model(loaded), on_line=on_line)
