"""``junto serve``: the HTTP server (OpenAI-compatible and native API) on 127.0.0.1 by default.

A non-loopback ``--host`` needs an API key in ``JUNTO_API_KEY``; with a key
set, every endpoint requires ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import typer
from rich.console import Console

from junto._budget import Budget
from junto.cli._app import app

__all__ = ["serve_command"]

API_KEY_ENV = "JUNTO_API_KEY"


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; not loopback only with JUNTO_API_KEY set."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to use."),
    max_runs: int = typer.Option(4, "--max-runs", min=1, help="Runs at once; more get 429."),
    max_body: int = typer.Option(1_000_000, "--max-body", min=1024, help="Largest request body, in bytes."),
    budget_tokens: int = typer.Option(200_000, "--budget-tokens", min=1, help="Token ceiling of every run."),
    budget_usd: float | None = typer.Option(None, "--budget-usd", min=0.0, help="Cost ceiling of every run, in dollars."),
    timeout: float = typer.Option(600.0, "--timeout", min=1.0, help="Wall-time ceiling of every run, in seconds."),
) -> None:
    """Serve junto over HTTP: POST /v1/chat/completions (model 'junto'), /v1/runs, /v1/sessions."""
    from junto.server import ServerSettings, serve

    settings = ServerSettings(
        host=host,
        port=port,
        api_key=os.environ.get(API_KEY_ENV) or None,
        max_body_bytes=max_body,
        max_concurrent_runs=max_runs,
        budget_ceiling=Budget(max_tokens=budget_tokens, max_cost_usd=budget_usd, max_wall_s=timeout),
    )
    settings.check_bind()
    from junto._junto import Junto

    junto = Junto.from_config(config)
    auth = "API key required" if settings.api_key else "no API key (loopback only)"
    Console(stderr=True).print(f"junto serving on http://{host}:{port}/v1 ({auth}); Ctrl-C stops", highlight=False)
    try:
        asyncio.run(serve(junto, settings=settings))
    except KeyboardInterrupt:
        pass
