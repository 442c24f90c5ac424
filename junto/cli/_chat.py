"""``junto chat``: a REPL over one session, with the live task view and slash commands.

Each line is a task run in the current session (so a follow-up can refer to
earlier answers); the session is kept in the run store and can be resumed
with ``--session ID``. Ctrl-C during a run cancels it and returns to the
prompt; Ctrl-C at the prompt clears the line; Ctrl-D (EOF) or ``/exit``
leaves. Input history is kept in ``chat_history`` beside the run store.
"""

from __future__ import annotations

import asyncio
import enum
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from junto._exceptions import JuntoError
from junto.cli._app import app
from junto.cli._async import terminable

if TYPE_CHECKING:  # imported when the chat starts: `junto --help` pays for none of it
    from junto._budget import Budget
    from junto._view import RunView

__all__ = ["ChatSession", "Command", "chat_command", "history_path", "make_junto"]

_HELP = """\
Type a task and press Enter. Commands:
  /plan      the plan and task states of the last run
  /trace     the full trace of the last run (attempts, checks, model calls)
  /budget    tokens and cost of the last run and of this session
  /new       start a new session
  /sessions  recent sessions
  /help      this text
  /exit      leave (Ctrl-D works too)
Ctrl-C during a run cancels it."""


class Command(str, enum.Enum):
    PLAN = "/plan"
    TRACE = "/trace"
    BUDGET = "/budget"
    NEW = "/new"
    SESSIONS = "/sessions"
    HELP = "/help"
    EXIT = "/exit"


def history_path() -> Path:
    """``chat_history`` in the directory of the default run store."""
    from junto._home import default_store_path

    return default_store_path().parent / "chat_history"


def make_junto(config: Path | None) -> Any:
    from junto._junto import Junto

    return Junto.from_config(config)


def _new_session_id() -> str:
    return uuid.uuid4().hex[:12]


class ChatSession:
    """The state of one REPL: the Junto, the session id, the last run, the session's spend."""

    def __init__(self, junto: Any, console: Console, *, session_id: str | None = None, budget: Budget | None = None) -> None:
        self.junto = junto
        self.console = console
        self.session_id = session_id or _new_session_id()
        self.budget = budget
        self.last: RunView | None = None
        self.tokens = 0
        self.cost_usd = 0.0
        self.runs = 0

    async def greet(self, *, resumed: bool) -> None:
        await self.junto.open()
        line = f"session [bold]{self.session_id}[/]"
        if resumed and self.junto.store is not None:
            session = await self.junto.store.get_session(self.session_id)
            line += (
                f" resumed: {len(session.messages)} messages"
                if not session.is_new
                else " (new: nothing recorded under this id yet)"
            )
        self.console.print(f"{line} · /help for commands · resume with [cyan]junto chat --session {self.session_id}[/]")

    async def ask(self, task: str) -> RunView:
        """Run ``task`` in this session with the live view; cancelled runs still leave their view."""
        from junto._view import RunView
        from junto.cli._live import render_live

        view = RunView()
        run_id = uuid.uuid4().hex
        self.last = view
        try:
            await render_live(
                self.junto.stream(task, session=self.session_id, budget=self.budget, run_id=run_id), self.console, view=view
            )
        finally:
            self.tokens += view.tokens
            self.cost_usd += view.cost_usd
            self.runs += 1
        return view

    async def command(self, line: str) -> bool:
        """Handle a slash command; ``False`` means leave."""
        name, _, _ = line.strip().partition(" ")
        try:
            command = Command(name.lower())
        except ValueError:
            self.console.print(f"[red]unknown command {name}[/]; /help lists them")
            return True
        handlers: dict[Command, Callable[[], Any]] = {
            Command.PLAN: self._plan,
            Command.TRACE: self._trace,
            Command.BUDGET: self._budget,
            Command.NEW: self._new,
            Command.SESSIONS: self._sessions,
            Command.HELP: self._help,
        }
        if command is Command.EXIT:
            return False
        await handlers[command]()
        return True

    async def _plan(self) -> None:
        if self.last is None:
            self.console.print("no run yet in this chat")
            return
        from junto.cli._live import render

        self.console.print(render(self.last))

    async def _trace(self) -> None:
        store = self.junto.store
        record = await store.get_run(self.last.run_id) if self.last is not None and store is not None else None
        if record is None:
            self.console.print("no recorded run yet in this chat")
            return
        from junto.cli._trace import render_trace

        self.console.print(render_trace(record))

    async def _budget(self) -> None:
        if self.last is not None:
            self.console.print(f"last run: {self.last.tokens} tokens · ${self.last.cost_usd:.4f}")
        self.console.print(f"this chat: {self.runs} runs · {self.tokens} tokens · ${self.cost_usd:.4f}")
        if self.budget is not None:
            self.console.print(f"per-run limits: {self.budget.model_dump(exclude_none=True) or 'none'}")

    async def _new(self) -> None:
        self.session_id, self.last = _new_session_id(), None
        self.console.print(f"new session [bold]{self.session_id}[/]")

    async def _sessions(self) -> None:
        store = self.junto.store
        if store is None:
            self.console.print("no run store: sessions are not kept")
            return
        table = Table(box=None, header_style="bold")
        table.add_column("session", no_wrap=True, overflow="fold")  # whole: `junto chat --session ID` needs it
        table.add_column("messages")
        table.add_column("runs")
        for session_id in await store.list_sessions(limit=20):
            session = await store.get_session(session_id)
            mark = " (current)" if session_id == self.session_id else ""
            table.add_row(session_id + mark, str(len(session.messages)), str(len(session.run_ids)))
        self.console.print(table)

    async def _help(self) -> None:
        self.console.print(_HELP, highlight=False)


def _read_line(prompt: str) -> str:
    return input(prompt)


def _load_history(path: Path) -> Callable[[], None]:
    """Enable readline history from ``path``; returns the function that saves it."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input()
        return lambda: None
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(1000)

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass

    return save


def repl(chat: ChatSession, runner: asyncio.Runner, *, read: Callable[[str], str] = _read_line) -> None:
    """The read-run loop; one event loop (``runner``) for the whole chat."""
    while True:
        try:
            line = read("junto> ").strip()
        except EOFError:
            chat.console.print()
            return
        except KeyboardInterrupt:  # at the prompt: drop the line
            chat.console.print()
            continue
        if not line:
            continue
        if line.startswith("/"):
            if not runner.run(terminable(chat.command(line))):
                return
            continue
        try:
            runner.run(terminable(chat.ask(line)))
        except KeyboardInterrupt:  # asyncio.Runner cancelled the run's task first
            chat.console.print("[yellow]run cancelled[/]")
        except JuntoError as error:
            chat.console.print(f"[red]error:[/] {error}")


@app.command(
    "chat",
    epilog=(
        "\b\nExamples:\n"
        "  junto chat                          a new session; type a task, then a follow-up\n"
        "  junto chat --session 5d1c0e2a9b3f   resume a session (its id is printed when it starts)"
    ),
)
def chat_command(
    session: str | None = typer.Option(None, "--session", help="Resume this session (default: a new one)."),
    config: Path | None = typer.Option(None, "--config", help="junto.toml to use."),
    budget_tokens: int | None = typer.Option(None, "--budget-tokens", min=1, help="Token limit of each run."),
    budget_usd: float | None = typer.Option(None, "--budget-usd", min=0.0, help="Cost limit of each run, in dollars."),
) -> None:
    """Chat with junto: each line is a task, solved by the team, in one resumable session."""
    from junto._budget import Budget

    console = Console(highlight=False)
    junto = make_junto(config)
    budget = junto.budget.overridden_by(Budget(max_tokens=budget_tokens, max_cost_usd=budget_usd))  # flags over [budget]
    chat = ChatSession(junto, console, session_id=session, budget=budget)
    save_history = _load_history(history_path())
    with asyncio.Runner() as runner:
        try:
            runner.run(terminable(chat.greet(resumed=session is not None)))
            repl(chat, runner)
        finally:
            save_history()
            runner.run(terminable(junto.aclose()))
