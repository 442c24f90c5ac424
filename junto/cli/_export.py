"""``junto export``: the verified tasks in the run store as a fine-tuning dataset (see :mod:`junto._export`)."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import TypeVar

import typer

from junto._exceptions import ConfigError
from junto.cli._app import app
from junto.cli._async import run_coroutine

_E = TypeVar("_E", bound=enum.Enum)

__all__ = ["export_command"]


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} takes a date as YYYY-MM-DD, got {value!r}") from None


def _choices(values: list[str] | None, kind: type[_E], option: str) -> frozenset[_E]:
    try:
        return frozenset(kind(v) for v in values or [])
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ConfigError(f"{option} takes one of {known}; got {', '.join(values or [])}") from None


@app.command("export", epilog="\b\nExample:\n  junto export train.jsonl --kind math --since 2026-01-01")
def export_command(
    out: str = typer.Argument(..., help="File to write ('-': standard output)."),
    format: str = typer.Option("openai", "--format", "-f", help="openai (chat JSONL) or sharegpt (JSON)."),
    kind: list[str] = typer.Option(None, "--kind", help="Only tasks of this kind (math, code, writing, general); repeatable."),
    role: list[str] = typer.Option(None, "--role", help="Only tasks for this role; repeatable."),
    model: list[str] = typer.Option(None, "--model", help="Only outputs this model produced; repeatable."),
    since: str | None = typer.Option(None, "--since", help="Only runs started on or after this date (YYYY-MM-DD, UTC)."),
    until: str | None = typer.Option(None, "--until", help="Only runs started on or before this date (YYYY-MM-DD, UTC)."),
    check_source: list[str] = typer.Option(
        None, "--check-source", help="Only tasks a check confirmed against this specification: user, instruction, upstream."
    ),
    bare: bool = typer.Option(False, "--bare", help="Messages only, no metadata (for uploaders that refuse other keys)."),
    store: str | None = typer.Option(None, "--store", help="Run store path or postgresql:// URL (default: [store] url)."),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to read [store] from."),
) -> None:
    """Write the verified tasks of the run store as chat fine-tuning examples.

    Failed and unverified tasks never go in; duplicates are dropped; an
    example holding a secret or a file path is left out whole. What was left
    out, and why, is printed on standard error.
    """
    # Imported here, not at registration: the run store is heavy, and every other command would pay for it.
    from junto._export import ExportFilter, ExportFormat, collect_examples, records_from_store, write_examples
    from junto._tasks import Spec, TaskKind
    from junto.cli._trace import store_url
    from junto.models._types import Role

    (chosen,) = _choices([format], ExportFormat, "--format")
    keep = ExportFilter(
        kinds=_choices(kind, TaskKind, "--kind"),
        roles=_choices(role, Role, "--role"),
        models=frozenset(model or []),
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        check_sources=_choices(check_source, Spec, "--check-source") - {Spec.MODEL},
    )
    records = run_coroutine(records_from_store(store if store is not None else store_url(config)))
    examples, report = collect_examples(records, keep=keep)
    if out == "-":
        write_examples(examples, sys.stdout, format=chosen, bare=bare)
    else:
        with open(out, "w", encoding="utf-8") as handle:
            write_examples(examples, handle, format=chosen, bare=bare)
    typer.echo(f"{report.summary()} ({chosen.value}{'' if out == '-' else ' to ' + out})", err=True)
