"""``junto serve``: the HTTP server (OpenAI-compatible and native API) on 127.0.0.1 by default.

A non-loopback ``--host`` needs an API key in ``JUNTO_API_KEY``; with a key
set, every endpoint requires ``Authorization: Bearer <key>``. Settings come
from the server's defaults, then ``[server]`` and ``[budget]`` in
``junto.toml``, then the flags given.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from junto.cli._app import app
from junto.cli._async import run_coroutine

__all__ = ["serve_command"]


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
    from junto.server._settings import API_KEY_ENV, server_settings

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
    junto.warm()  # the first request does not wait on imports
    auth = "API key required" if settings.api_key else "no API key (loopback only)"
    Console(stderr=True).print(
        f"junto serving on http://{settings.host}:{settings.port}/v1 ({auth}); Ctrl-C stops", highlight=False
    )
    try:
        run_coroutine(serve(junto, settings=settings))
    except KeyboardInterrupt:
        pass
