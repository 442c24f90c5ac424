"""``junto models``: list the configured models, test one with a real call, find the embedded weights."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from junto._config import JuntoConfig, load_config
from junto._exceptions import JuntoError
from junto.cli._app import app
from junto.models._chat import ChatModel
from junto.models._local import LocalBackend, gguf_path
from junto.models._types import Completion, Message, Model, ModelRequest, Probe, Role

__all__ = ["models_app"]

models_app = typer.Typer(
    help="The models junto uses: list, test, and the embedded model's path.",
    no_args_is_help=True,
    epilog="\b\nExample:\n  junto models list",
)
app.add_typer(models_app, name="models")

_CONFIG_OPTION = typer.Option(None, "--config", help="junto.toml to use (default: ./junto.toml, then the user config dir).")
_PROBE_TIMEOUT_S = 5.0


def _describe(config: JuntoConfig, name: str) -> str:
    settings = config.model_settings(name)
    if settings.provider.value == "local":
        return f"local  {settings.model_path or 'embedded SmolLM2-135M'}"
    if settings.deployments:
        return (
            f"{settings.provider.value}  {settings.model} @ {len(settings.deployments)} deployments ({settings.strategy.value})"
        )
    return f"{settings.provider.value}  {settings.model} @ {settings.base_url or 'default URL'}"


async def _status(model: Model) -> str:
    backend = model.backend if isinstance(model, ChatModel) else None
    if backend is None or not isinstance(backend, Probe):  # the None test: mypy narrows Backend | None wrongly without it
        return "[yellow]unknown[/]"
    try:
        await backend.probe(timeout=_PROBE_TIMEOUT_S)
    except JuntoError as error:
        return f"[red]unreachable[/]: {error.message}"
    finally:
        await backend.aclose()
    return "[green]ok[/]"


@models_app.command("list", epilog="\b\nExample:\n  junto models list")
def list_models(config_path: Path | None = _CONFIG_OPTION) -> None:
    """Which models serve each role, whether each is reachable, and the state of each deployment."""
    config = load_config(config_path)
    console = Console()
    console.print(f"config: {config.source or 'none (every role uses the embedded model)'}", highlight=False)

    roles = Table("role", "models (weakest first)")
    for role in Role:
        names = config.roles.get(role) or config.default_tiers()
        roles.add_row(role.value, ", ".join(names))
    console.print(roles)

    used = {name for names in config.roles.values() for name in names} | set(config.default_tiers()) | set(config.models)
    table = Table("model", "provider  model", "status")

    async def statuses() -> list[tuple[str, str]]:
        rows = []
        for name in [n for n in config.model_names() if n in used]:
            try:
                status = await _status(config.build_model(name))
            except JuntoError as error:
                status = f"[red]not usable[/]: {error.message}"
            rows.append((name, status))
        return rows

    for name, status in asyncio.run(statuses()):
        table.add_row(name, _describe(config, name), status)
    console.print(table)

    replicated = [name for name in config.model_names() if name in used and config.model_settings(name).deployments]
    if replicated:
        console.print(_deployments_table(config, replicated))


def _deployments_table(config: JuntoConfig, names: list[str]) -> Table:
    """Each deployment of each replicated model, probed now: state, in flight, latency, last error."""
    from junto.models._replicas import ReplicaBackend, ReplicaStatus

    async def probed() -> list[tuple[str, ReplicaStatus]]:
        rows = []
        for name in names:
            model = config.build_model(name)
            backend = model.backend if isinstance(model, ChatModel) else None
            if not isinstance(backend, ReplicaBackend):
                continue
            probed = all(r.probe_s is not None or r.last_error is not None for r in backend.replicas)
            try:
                if not probed:  # the status column above probed them already
                    await backend.probe(timeout=_PROBE_TIMEOUT_S)
            except JuntoError:
                pass  # every deployment is down: the table says so
            finally:
                await backend.aclose()
            settings = config.model_settings(name)
            urls = [d.base_url for d in settings.deployments]
            rows += [(url, status) for url, status in zip(urls, backend.status(), strict=True)]
        return rows

    table = Table("model", "deployment", "base URL", "state", "in flight", "latency", "strategy", "last error")
    colours = {"healthy": "green", "cooling down": "yellow", "down": "red"}
    for url, status in asyncio.run(probed()):
        latency = status.latency_s if status.latency_s is not None else status.probe_s
        error = f"{status.last_error_type}: {status.last_error}" if status.last_error else ""
        table.add_row(
            status.model,
            status.name,
            url,
            f"[{colours[status.state.value]}]{status.state.value}[/]",
            f"{status.in_flight}/{status.concurrency}",
            "-" if latency is None else f"{latency * 1000:.0f} ms",
            config.model_settings(status.model).strategy.value,
            error[:80],
        )
    return table


@models_app.command("test", epilog="\b\nExample:\n  junto models test --prompt 'Say hello'")
def test_model(
    name: str | None = typer.Argument(None, help="Model name from junto.toml (default: the planner's first tier)."),
    config_path: Path | None = _CONFIG_OPTION,
    prompt: str = typer.Option("Name three primary colours.", "--prompt", help="What to ask."),
    max_tokens: int = typer.Option(64, "--max-tokens", min=1),
) -> None:
    """One real round trip: prints the answer, latency, tokens and tokens per second."""
    config = load_config(config_path)
    model = config.build_model(name) if name else config.build_roster().first(Role.PLANNER)

    async def run() -> tuple[Completion, float]:
        try:
            if isinstance(model, ChatModel) and isinstance(model.backend, LocalBackend):
                await model.backend.start()  # loading the weights is not part of the round trip
            started = time.perf_counter()
            completion = await model.complete(ModelRequest(messages=[Message.user(prompt)], max_tokens=max_tokens))
            return completion, time.perf_counter() - started
        finally:
            if isinstance(model, ChatModel):
                await model.aclose()

    completion, elapsed = asyncio.run(run())
    rate = completion.usage.completion_tokens / elapsed if elapsed > 0 else 0.0
    console = Console()
    console.print(f"model: {model.name}", highlight=False)
    console.print(f"answer: {completion.text.strip()}", highlight=False)
    console.print(
        f"latency {elapsed:.2f} s, tokens {completion.usage.prompt_tokens} in / "
        f"{completion.usage.completion_tokens} out, {rate:.1f} tokens/s, cost ${completion.cost_usd:.6f}",
        highlight=False,
    )


@models_app.command("path", epilog="\b\nExample:\n  junto models path")
def path() -> None:
    """Print the path of the embedded model's GGUF file (exits non-zero if it is not installed)."""
    typer.echo(str(gguf_path()))


@models_app.command("routes", epilog="\b\nExample:\n  junto models routes --store junto.db")
def routes(
    config_path: Path | None = _CONFIG_OPTION,
    store: str | None = typer.Option(None, "--store", help="Run store path or postgresql:// URL (default: [store] url)."),
) -> None:
    """The routing table learned from the run store: per role, kind and instruction size, each model's record.

    ``start`` marks the tier a role with ``route = "learned"`` would start such a task at.
    """
    from junto._export import records_from_store
    from junto._home import default_store_path
    from junto._routing import RouteKey, learn_table
    from junto.models._roster import RoutePolicy

    config = load_config(config_path)
    table = learn_table(asyncio.run(records_from_store(store or config.store.url or default_store_path())))
    starts: dict[RouteKey, str] = {}
    for key in table.stats:
        role = Role(key.role)
        policy = config.routing.get(role, RoutePolicy())
        tiers = config.roles.get(role) or config.default_tiers()
        tier = table.start_tier(key, tiers, policy)
        starts[key] = tiers[tier] if tier is not None else ""
    out = Table("role", "kind", "size", "model", "tasks", "verified", "mean cost", "start")
    for row in table.rows():
        key = RouteKey(row.role, row.kind, row.size)
        out.add_row(
            row.role,
            row.kind,
            row.size,
            row.model,
            str(row.seen),
            f"{row.verified_rate:.0%}",
            f"${row.mean_cost_usd:.5f}",
            "*" if starts.get(key) == row.model else "",
        )
    console = Console()
    console.print(out)
    learned = [role.value for role, policy in config.routing.items() if policy.route.value == "learned"]
    routed = ", ".join(learned) or 'none (set route = "learned" under [routing.ROLE])'
    console.print(f"roles routed by this table: {routed}", highlight=False, markup=False)
