"""``junto models``: list the configured models, test one with a real call, find the embedded weights.

``junto models list --server URL`` shows instead what a running ``junto
serve`` sees: its roles and the live state of its models' deployments, read
from ``GET /v1/deployments`` (with ``JUNTO_API_KEY`` as the bearer key when
it is set).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from junto._exceptions import ConfigError, JuntoError
from junto.cli._app import app
from junto.cli._async import run_coroutine

# The configuration and the models are imported by the commands that use them: registering the
# commands must stay light, since every junto command pays for it.
if TYPE_CHECKING:
    import httpx

    from junto._config import JuntoConfig
    from junto.models._deployments import RosterDeployments
    from junto.models._replicas import ReplicaStatus
    from junto.models._types import Completion, Model

__all__ = ["fetch_deployments", "models_app"]

models_app = typer.Typer(
    help="The models junto uses: list, test, and the embedded model's path.",
    no_args_is_help=True,
    epilog="\b\nExample:\n  junto models list",
)
app.add_typer(models_app, name="models")

_CONFIG_OPTION = typer.Option(None, "--config", help="junto.toml to use (default: ./junto.toml, then the user config dir).")
_PROBE_TIMEOUT_S = 5.0
_SERVER_TIMEOUT_S = 10.0
_API_KEY_ENV = "JUNTO_API_KEY"  # the key `junto serve` requires, when it has one


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
    from junto.models._chat import ChatModel
    from junto.models._types import Probe

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


@models_app.command("list", epilog="\b\nExamples:\n  junto models list\n  junto models list --server http://127.0.0.1:8000")
def list_models(
    config_path: Path | None = _CONFIG_OPTION,
    server: str | None = typer.Option(
        None,
        "--server",
        metavar="URL",
        help="A running `junto serve`: show its live state (what its balancers see) instead of probing from here. "
        "Sends JUNTO_API_KEY when set.",
    ),
) -> None:
    """Which models serve each role, whether each is reachable, and the state of each deployment."""
    if server is not None:
        if config_path is not None:
            raise ConfigError("--server shows the server's own models: --config does not apply", hint="give one of them")
        _list_server(server)
        return
    from junto._config import load_config
    from junto.models._types import Role

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
        try:
            for name in [n for n in config.model_names() if n in used]:
                try:
                    status = await _status(config.build_model(name))
                except JuntoError as error:
                    status = f"[red]not usable[/]: {error.message}"
                rows.append((name, status))
        finally:
            await config.aclose()
        return rows

    for name, status in run_coroutine(statuses()):
        table.add_row(name, _describe(config, name), status)
    console.print(table)

    replicated = [name for name in config.model_names() if name in used and config.model_settings(name).deployments]
    if replicated:
        console.print(_deployments_table(config, replicated))


def _deployments_table(config: JuntoConfig, names: list[str]) -> Table:
    """Each deployment of each replicated model, probed now: state, in flight, latency, last error."""
    from junto.models._chat import ChatModel
    from junto.models._replicas import ReplicaBackend

    async def probed() -> list[ReplicaStatus]:
        rows: list[ReplicaStatus] = []
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
            rows += backend.status()
        return rows

    return _status_table([(status, config.model_settings(status.model).strategy.value) for status in run_coroutine(probed())])


def _status_table(rows: list[tuple[ReplicaStatus, str]], *, counts: bool = False) -> Table:
    """One row per deployment and its strategy: state, in flight over its cap, latency, (calls, errors,) last error."""
    columns = ["model", "deployment", "base URL", "state", "in flight", "latency", *(["calls", "errors"] if counts else [])]
    table = Table(*columns, "strategy", "last error")
    colours = {"healthy": "green", "cooling down": "yellow", "down": "red"}
    for status, strategy in rows:
        latency = status.latency_s if status.latency_s is not None else status.probe_s
        error = f"{status.last_error_type}: {status.last_error}" if status.last_error else ""
        table.add_row(
            escape(status.model),
            escape(status.name),
            escape(status.base_url or "-"),
            f"[{colours[status.state.value]}]{status.state.value}[/]",
            f"{status.in_flight}/{status.concurrency}",
            "-" if latency is None else f"{latency * 1000:.0f} ms",
            *([str(status.calls), str(status.errors)] if counts else []),
            escape(strategy),
            escape(error[:80]),
        )
    return table


def _list_server(url: str) -> None:
    """``junto models list --server URL``: the server's roles and its deployments' live state."""
    state = fetch_deployments(url, api_key=os.environ.get(_API_KEY_ENV) or None)
    console = Console()
    console.print(f"live state of the junto server at {url} (as its balancers see it; not probed from here)", highlight=False)
    roles = Table("role", "models (weakest first)")
    for role, names in state.roles.items():
        roles.add_row(escape(role), escape(", ".join(names)))
    console.print(roles)
    rows = [(status, model.strategy or "-") for model in state.models for status in model.deployments]
    if rows:
        console.print(_status_table(rows, counts=True))
    single = [model.name for model in state.models if not model.deployments]
    if single:
        console.print(f"one endpoint each, no deployments to show: {', '.join(single)}", highlight=False, markup=False)


def fetch_deployments(url: str, *, api_key: str | None = None, transport: httpx.BaseTransport | None = None) -> RosterDeployments:
    """The deployment state the junto server at ``url`` reports (``GET /v1/deployments``).

    ``url`` is the server's address, with or without ``/v1``. Any failure is
    a :class:`~junto.JuntoError` saying what happened: the server could not
    be reached, refused the key, is not a junto server, or answered
    something else than the state (a :class:`~junto.ConfigError` for a URL
    that is not one, or a refused key).
    """
    import httpx
    from pydantic import ValidationError

    from junto.models._deployments import RosterDeployments

    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"--server takes the URL of a junto server, like http://127.0.0.1:8000; got {url!r}")
    base = url.rstrip("/").removesuffix("/v1")
    endpoint = f"{base}/v1/deployments"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        with httpx.Client(transport=transport, timeout=_SERVER_TIMEOUT_S) as client:
            response = client.get(endpoint, headers=headers)
    except httpx.TimeoutException:
        raise JuntoError(f"the server at {base} did not answer in {_SERVER_TIMEOUT_S:.0f} s") from None
    except httpx.HTTPError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise JuntoError(
            f"cannot reach a junto server at {base}: {reason}", hint="start one with `junto serve`, or check the URL and port"
        ) from None
    if response.status_code in (401, 403):
        raise ConfigError(
            f"the server at {base} refused the request (HTTP {response.status_code}): it needs its API key",
            hint=f"set {_API_KEY_ENV} to the key the server was started with",
        )
    if response.status_code == 404:
        raise JuntoError(f"{base} is not a junto server, or one too old to show its deployments (GET /v1/deployments: HTTP 404)")
    if response.status_code != 200:
        raise JuntoError(f"the server at {base} answered GET /v1/deployments with HTTP {response.status_code}")
    try:
        return RosterDeployments.model_validate_json(response.content)
    except ValidationError as error:
        invalid = any(problem["type"] == "json_invalid" for problem in error.errors())
        what = "something that is not JSON" if invalid else "JSON that is not a junto server's deployment state"
        raise JuntoError(f"{base} answered GET /v1/deployments with {what}", hint="is it a junto server?") from None


@models_app.command("test", epilog="\b\nExample:\n  junto models test --prompt 'Say hello'")
def test_model(
    name: str | None = typer.Argument(None, help="Model name from junto.toml (default: the planner's first tier)."),
    config_path: Path | None = _CONFIG_OPTION,
    prompt: str = typer.Option("Name three primary colours.", "--prompt", help="What to ask."),
    max_tokens: int = typer.Option(64, "--max-tokens", min=1),
) -> None:
    """One real round trip: prints the answer, latency, tokens and tokens per second."""
    from junto._config import load_config
    from junto.models._chat import ChatModel
    from junto.models._local import LocalBackend
    from junto.models._types import Message, ModelRequest, Role

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
            await config.aclose()

    completion, elapsed = run_coroutine(run())
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
    from junto.models._local import gguf_path

    typer.echo(str(gguf_path()))


@models_app.command("routes", epilog="\b\nExample:\n  junto models routes --store junto.db")
def routes(
    config_path: Path | None = _CONFIG_OPTION,
    store: str | None = typer.Option(None, "--store", help="Run store path or postgresql:// URL (default: [store] url)."),
) -> None:
    """The routing table learned from the run store: per role, kind and instruction size, each model's record.

    ``start`` marks the tier a role with ``route = "learned"`` would start such a task at.
    """
    from junto._config import load_config
    from junto._export import records_from_store
    from junto._home import default_store_path
    from junto._routing import RouteKey, learn_table
    from junto.models._roster import RoutePolicy
    from junto.models._types import Role

    config = load_config(config_path)
    table = learn_table(run_coroutine(records_from_store(store or config.store.url or default_store_path())))
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
