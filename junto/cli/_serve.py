"""``junto serve``: the HTTP server (OpenAI-compatible and native API) on 127.0.0.1 by default.

A non-loopback ``--host`` needs an API key in ``JUNTO_API_KEY``; with a key
set, every endpoint requires ``Authorization: Bearer <key>``. Settings come
from the server's defaults, then ``[server]`` and ``[budget]`` in
``junto.toml``, then the flags given.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from junto.cli._app import app

if TYPE_CHECKING:
    from junto._config import JuntoConfig
    from junto.server import ServerSettings

__all__ = ["serve_command", "server_settings"]

API_KEY_ENV = "JUNTO_API_KEY"


def server_settings(
    config: JuntoConfig,
    *,
    api_key: str | None = None,
    host: str | None = None,
    port: int | None = None,
    max_runs: int | None = None,
    max_body: int | None = None,
    budget_tokens: int | None = None,
    budget_usd: float | None = None,
    timeout: float | None = None,
) -> ServerSettings:
    """``junto serve``'s settings: the defaults, overridden by ``[server]`` and ``[budget]``, then by each flag given."""
    from junto._budget import Budget
    from junto.server import ServerSettings

    flags = {"host": host, "port": port, "max_concurrent_runs": max_runs, "max_body_bytes": max_body}
    options = config.server.model_dump(exclude_none=True) | {name: value for name, value in flags.items() if value is not None}
    ceiling = (
        ServerSettings()
        .budget_ceiling.overridden_by(config.budget.to_budget())
        .overridden_by(Budget(max_tokens=budget_tokens, max_cost_usd=budget_usd, max_wall_s=timeout))
    )
    return ServerSettings(**options, api_key=api_key, budget_ceiling=ceiling)


@app.command(
    "serve",
    epilog='\b\nExamples:\n  junto serve --port 8000\n  curl -s localhost:8000/v1/chat/completions -d \'{"model": "junto", "messages": [{"role": "user", "content": "17*23?"}]}\'',
)
def serve_command(
    host: str | None = typer.Option(
        None, "--host", help="Address to bind (default 127.0.0.1); not loopback only with JUNTO_API_KEY set."
    ),
    port: int | None = typer.Option(None, "--port", min=0, max=65535, help="Port to listen on (default 8000)."),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to use."),
    max_runs: int | None = typer.Option(None, "--max-runs", min=1, help="Runs at once (default 4); more get 429."),
    max_body: int | None = typer.Option(None, "--max-body", min=1024, help="Largest request body, in bytes (default 1000000)."),
    budget_tokens: int | None = typer.Option(None, "--budget-tokens", min=1, help="Token ceiling of every run (default 200000)."),
    budget_usd: float | None = typer.Option(None, "--budget-usd", min=0.0, help="Cost ceiling of every run, in dollars."),
    timeout: float | None = typer.Option(
        None, "--timeout", min=1.0, help="Wall-time ceiling of every run, in seconds (default 600)."
    ),
) -> None:
    """Serve junto over HTTP: POST /v1/chat/completions (model 'junto'), /v1/runs, /v1/sessions."""
    from junto._config import load_config
    from junto._junto import Junto
    from junto.server import serve

    settings = server_settings(
        load_config(config),
        api_key=os.environ.get(API_KEY_ENV) or None,
        host=host,
        port=port,
        max_runs=max_runs,
        max_body=max_body,
        budget_tokens=budget_tokens,
        budget_usd=budget_usd,
        timeout=timeout,
    )
    settings.check_bind()
    junto = Junto.from_config(config)
    auth = "API key required" if settings.api_key else "no API key (loopback only)"
    Console(stderr=True).print(
        f"junto serving on http://{settings.host}:{settings.port}/v1 ({auth}); Ctrl-C stops", highlight=False
    )
    try:
        asyncio.run(serve(junto, settings=settings))
    except KeyboardInterrupt:
        pass
