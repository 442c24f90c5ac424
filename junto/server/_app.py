"""The HTTP app: OpenAI-compatible chat completions and the native run API.

``create_app(junto, settings=...)`` builds a FastAPI app over an injected
:class:`~junto.Junto` (anything with ``stream``), so tests can serve one
built on ``FunctionModel``. Every error, malformed requests included, is a
JSON body in OpenAI's shape ``{"error": {"message", "type", "code"}}``.

Endpoints:

- ``GET /v1/models``, ``GET /v1/models/junto``; ``POST /v1/chat/completions``
  (model ``junto``, plain or ``stream: true`` SSE; ``stream_options.include_usage``
  adds a last chunk with the usage). The last user message is the task; the
  conversation is a session (see :class:`~junto.server._wire.ChatRequest`).
  Usage counts every model call of the run (planner, specialists,
  aggregator): prompt plus completion tokens is the total. The stream carries
  the aggregator's answer as it is written; an answer that needed no model
  (one task's checked output) is sent in word-sized pieces as soon as it is known.
- ``POST /v1/runs`` → ``202 {run_id, events_url, run_url}``;
  ``GET /v1/runs/{id}``; ``GET /v1/runs/{id}/events`` (SSE, one typed event
  per message, ``id:`` its index; ``Last-Event-ID`` resumes);
  ``GET /v1/sessions/{id}``. A run id may be given by a unique prefix.
- ``GET /v1/deployments``: the live state of the served roster's models, each
  deployment's health, load, latency and counts as its balancer sees them
  (:class:`~junto.models.RosterDeployments`; no key ever appears in it).
  ``junto models list --server URL`` prints it.

Each request is logged as one line (method, path, status, seconds; never a
body, a query string or a header).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal, Protocol

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from junto import _events as ev
from junto._budget import Budget
from junto._exceptions import BudgetExceeded, JuntoError, ModelError, SetupError
from junto._view import RunView, TaskState
from junto.graphs._builder import TaskGraph
from junto.graphs._store import RunStore
from junto.models._deployments import RosterDeployments
from junto.server import _wire as wire
from junto.server._registry import RunHandle, RunHost, RunRegistry, ServerBusy
from junto.server._settings import ServerSettings, cap_budget

__all__ = ["RunRecords", "StoreRecords", "create_app", "serve"]

SESSION_HEADER = "x-junto-session"
_PIECE_CHARS = 24  # an answer that arrives whole is streamed in pieces of about this size
log = logging.getLogger("junto.server")


class RunRecords(Protocol):
    """Where finished runs and sessions are looked up."""

    async def get_run(self, run_id: str) -> dict[str, Any] | None: ...

    async def get_session(self, session_id: str) -> dict[str, Any] | None: ...


class StoreRecords:
    """:class:`RunRecords` over the run store of the served Junto."""

    def __init__(self, host: RunHost) -> None:
        self.host = host

    async def _store(self) -> RunStore | None:
        await self.host.open()
        return self.host.store

    async def get_run(self, run_id: str) -> dict[str, Any] | None:
        store = await self._store()
        if store is None:
            return None
        try:
            run_id = await store.resolve_run_id(run_id)
        except JuntoError:  # none, or several: not one run
            return None
        record = await store.get_run(run_id)
        if record is None:
            return None
        extra = {"plan_source": record.plan_source, "error": record.error, "started_at": record.started_at}
        return {**record.result.model_dump(mode="json"), **extra}

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        store = await self._store()
        session = await store.get_session(session_id) if store is not None else None
        if session is None or session.is_new:
            return None
        return session.model_dump(mode="json")


class ApiError(Exception):
    """An error answered as OpenAI-style JSON."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code = status, message, type, code


def _error(status: int, message: str, *, type: str = "invalid_request_error", code: str | None = None) -> JSONResponse:
    body = wire.ErrorBody(error=wire.ErrorDetail(message=message, type=type, code=code))
    return JSONResponse(body.model_dump(), status_code=status)


def _junto_error(error: JuntoError) -> ApiError:
    if isinstance(error, SetupError):
        return ApiError(400, str(error), code=type(error).__name__)
    if isinstance(error, BudgetExceeded):
        return ApiError(402, str(error), type="budget_exceeded", code=error.resource)
    if isinstance(error, ModelError):
        return ApiError(502, str(error), type="model_error", code=type(error).__name__)
    return ApiError(500, str(error), type="server_error", code=type(error).__name__)


class _Guard:
    """ASGI middleware: bearer auth (when a key is set) and the request body size limit."""

    def __init__(self, app: ASGIApp, *, api_key: str | None, max_body: int) -> None:
        self.app, self.api_key, self.max_body = app, api_key, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.api_key is not None and not self._authorized(headers.get("authorization", "")):
            response = _error(
                401,
                "a valid API key is required: send 'Authorization: Bearer <key>'",
                type="authentication_error",
                code="invalid_api_key",
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        while True:  # read it all first (at most max_body bytes): a body cut midway is refused whole
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if len(body) > self.max_body:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        assert self.api_key is not None
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.api_key.encode())

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, f"the request body is larger than {self.max_body} bytes", code="body_too_large")
        await response(scope, receive, send)


class _RequestLog:
    """ASGI middleware: one log line per request (method, path, status, seconds); no body, query or header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.monotonic(), 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = (scope.get("client") or ("-",))[0]
            log.info("%s %s %s %d %.3fs", client, scope["method"], scope["path"], status, time.monotonic() - started)


def _sse(data: str, *, event: str | None = None, id: int | None = None) -> bytes:
    head = (f"event: {event}\n" if event else "") + (f"id: {id}\n" if id is not None else "")
    return (head + f"data: {data}\n\n").encode()


def _summary(view: RunView) -> dict[str, Any]:
    return {
        "run_id": view.run_id,
        "session_id": view.session_id,
        "status": view.status,
        "exit_reason": view.exit_reason,
        "tasks": {t.id: t.state.value for t in view.tasks.values()},
        "verified": view.by_state(TaskState.VERIFIED),
    }


def create_app(junto: RunHost, *, settings: ServerSettings | None = None, records: RunRecords | None = None) -> FastAPI:
    """The server's ASGI app over ``junto``; ``records`` looks up runs and sessions it did not start."""
    settings = settings or ServerSettings()
    records = records if records is not None else StoreRecords(junto)
    registry = RunRegistry(junto, max_active=settings.max_concurrent_runs, keep=settings.keep_runs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await junto.open()
        try:
            yield
        finally:
            await registry.aclose()
            await junto.aclose()

    app = FastAPI(title="junto", version="1", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.registry = registry
    app.add_middleware(_Guard, api_key=settings.api_key, max_body=settings.max_body_bytes)
    app.add_middleware(_RequestLog)  # outermost: refused requests are logged too

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        return _error(error.status, error.message, type=error.type, code=error.code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return _error(400, "the request body is not valid JSON", code="invalid_json")
        described = [f"{_where(p) or 'body'}: {p.get('msg')}" for p in problems[:5]]
        body = wire.ErrorDetail(
            message="; ".join(described) or "invalid request",
            type="invalid_request_error",
            code="invalid_request",
            param=_where(problems[0]) if problems else None,
        )
        return JSONResponse(wire.ErrorBody(error=body).model_dump(), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = "not_found_error" if error.status_code == 404 else "invalid_request_error"
        return _error(error.status_code, str(error.detail), type=kind, code=str(error.status_code))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        return _error(500, f"internal error: {type(error).__name__}", type="server_error", code="internal_error")

    def start(task: str | TaskGraph, session_id: str | None, budget: Budget | None) -> RunHandle:
        try:
            return registry.start(task, session_id=session_id, budget=cap_budget(budget, settings.budget_ceiling))
        except ServerBusy as busy:
            raise ApiError(429, f"{busy}; retry later", type="rate_limit_error", code="too_many_runs") from busy
        except JuntoError as error:
            raise _junto_error(error) from error

    @app.get("/v1/models")
    async def models() -> wire.ModelList:
        return wire.ModelList()

    @app.get("/v1/models/{model_id}")
    async def model(model_id: str) -> wire.ModelCard:
        if model_id != wire.MODEL_ID:
            raise ApiError(
                404, f"the model '{model_id}' does not exist; this server serves '{wire.MODEL_ID}'", code="model_not_found"
            )
        return wire.ModelCard()

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(body: wire.ChatRequest, request: Request) -> wire.ChatCompletion | StreamingResponse:
        if body.model != wire.MODEL_ID:
            raise ApiError(
                404, f"the model '{body.model}' does not exist; this server serves '{wire.MODEL_ID}'", code="model_not_found"
            )
        session_id = wire.session_for(body, request.headers.get(SESSION_HEADER))
        handle = start(body.task(), session_id, None)
        if body.stream:
            usage = body.stream_options is not None and body.stream_options.include_usage
            return StreamingResponse(
                _chat_stream(handle, include_usage=usage), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
            )
        try:
            view = await handle.wait()
        except asyncio.CancelledError:  # the client went away
            handle.cancel()
            raise
        if handle.error is not None and not view.answer_text:
            raise (
                _junto_error(handle.error)
                if isinstance(handle.error, JuntoError)
                else ApiError(500, "the run failed", type="server_error")
            )
        return wire.ChatCompletion(
            id=f"chatcmpl-{handle.run_id}",
            choices=[wire.ChatChoice(message=wire.ChatResponseMessage(content=view.answer_text))],
            usage=wire.ChatUsage.of(view.prompt_tokens, view.completion_tokens),
            junto=_summary(view),
        )

    @app.post("/v1/runs", status_code=202)
    async def create_run(body: wire.RunRequest) -> wire.RunAccepted:
        task: str | TaskGraph
        if body.graph is not None:
            task = TaskGraph.from_plan(body.graph)
            errors = task.errors()
            if errors:
                raise ApiError(400, "the graph does not compile: " + "; ".join(errors), code="invalid_graph")
        else:
            assert body.task is not None
            task = body.task
        handle = start(task, body.session_id, body.budget)
        return wire.RunAccepted(
            run_id=handle.run_id,
            session_id=body.session_id,
            events_url=f"/v1/runs/{handle.run_id}/events",
            run_url=f"/v1/runs/{handle.run_id}",
        )

    def live(run_id: str) -> RunHandle | None:
        """The run this server holds whose id is (or, uniquely, starts with) ``run_id``."""
        handle = registry.get(run_id)
        if handle is not None:
            return handle
        matches = [h for h in registry.handles() if h.run_id.startswith(run_id)]
        if len(matches) > 1:
            shown = ", ".join(h.run_id for h in matches[:10])
            raise ApiError(400, f"run id prefix '{run_id}' is ambiguous: it matches {shown}", code="ambiguous_run_id")
        return matches[0] if matches else None

    @app.get("/v1/runs/{run_id}")
    async def get_run(run_id: str) -> dict[str, Any]:
        handle = live(run_id)
        if handle is not None and not handle.view.finished:
            return {"state": "running", **handle.view.model_dump(mode="json")}
        if handle is not None:
            await handle.wait()  # its last event is out; the record is saved when the stream closes
            run_id = handle.run_id
        record = await records.get_run(run_id)
        if record is None and handle is not None:  # finished, but not recorded (e.g. record=False)
            return {"state": "finished", **handle.view.model_dump(mode="json")}
        if record is None:
            raise ApiError(404, f"no run with id '{run_id}'", type="not_found_error", code="run_not_found")
        return {"state": "finished", **record}

    @app.get("/v1/runs/{run_id}/events")
    async def run_events(run_id: str, request: Request) -> StreamingResponse:
        handle = live(run_id)
        if handle is None:
            raise ApiError(
                404, f"no live or recent run with id '{run_id}' on this server", type="not_found_error", code="run_not_found"
            )
        last = request.headers.get("last-event-id", "")
        start_at = int(last) + 1 if last.isdigit() else 0
        return StreamingResponse(
            _event_stream(handle, start_at), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @app.get("/v1/deployments")
    async def deployments() -> dict[str, Any]:
        own_key = [settings.api_key] if settings.api_key else []
        return RosterDeployments.of(junto.roster, secrets=own_key).model_dump(mode="json")

    @app.get("/v1/sessions/{session_id}")
    async def get_session(session_id: str) -> dict[str, Any]:
        record = await records.get_session(session_id)
        if record is None:
            raise ApiError(404, f"no session with id '{session_id}'", type="not_found_error", code="session_not_found")
        return record

    return app


def _where(problem: Any) -> str:
    return ".".join(str(p) for p in problem.get("loc", ()) if p != "body")


async def _event_stream(handle: RunHandle, start_at: int) -> AsyncIterator[bytes]:
    index = start_at
    async for event in handle.follow(start_at):
        yield _sse(event.model_dump_json(), event=event.type, id=index)
        index += 1


async def _chat_stream(handle: RunHandle, *, include_usage: bool = False) -> AsyncIterator[bytes]:
    """Aggregator tokens as ``chat.completion.chunk`` deltas, then (with ``include_usage``) the usage, then ``[DONE]``.

    An answer that arrives whole (one task's checked output, the answer
    assembled from the results) is sent in word-sized pieces. If the
    aggregator revised its answer after streaming it, the revised answer
    follows the streamed text under a 'revised answer' line: what was sent
    cannot be taken back, and the client must see the checked version.
    """
    chunk_id = f"chatcmpl-{handle.run_id}"

    def chunk(
        delta: wire.ChatDelta | None, finish: Literal["stop", "length"] | None = None, usage: wire.ChatUsage | None = None
    ) -> bytes:
        choices = [] if delta is None else [wire.ChatChunkChoice(delta=delta, finish_reason=finish)]
        data = wire.ChatChunk(id=chunk_id, choices=choices, usage=usage)
        return _sse(data.model_dump_json(exclude_none=False) if include_usage else data.model_dump_json(exclude={"usage"}))

    streamed = ""
    try:
        yield chunk(wire.ChatDelta(role="assistant", content=""))
        async for event in handle.follow():
            text = ""
            if isinstance(event, ev.AggregateToken):
                text = event.text
            elif isinstance(event, ev.AggregateFinished):
                text = _rest(streamed, event.answer)
            elif isinstance(event, ev.RunFinished) and not streamed:
                text = handle.view.answer_text or _failure_text(handle)
            for piece in _pieces(text):
                streamed += piece
                yield chunk(wire.ChatDelta(content=piece))
        yield chunk(wire.ChatDelta(), finish="stop")
        if include_usage:
            view = handle.view
            yield chunk(None, usage=wire.ChatUsage.of(view.prompt_tokens, view.completion_tokens))
        yield _sse("[DONE]")
    finally:
        if not handle.view.finished:  # the client went away mid-run: the run is bound to this request
            handle.cancel()


def _pieces(text: str) -> list[str]:
    """``text`` cut after whitespace into pieces of about ``_PIECE_CHARS``; a short text stays whole."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > _PIECE_CHARS:
        cut = text.find(" ", start + _PIECE_CHARS // 2)
        if cut < 0:
            break
        pieces.append(text[start : cut + 1])
        start = cut + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _rest(streamed: str, answer: str) -> str:
    if " ".join(streamed.split()) == " ".join(answer.split()):
        return ""
    if answer.startswith(streamed):
        return answer[len(streamed) :]
    return f"\n\n---\nrevised answer:\n\n{answer}"


def _failure_text(handle: RunHandle) -> str:
    reason = str(handle.error) if handle.error is not None else handle.view.exit_reason or "unknown"
    return f"(the run ended without an answer: {reason})"


async def serve(junto: RunHost, *, settings: ServerSettings, records: RunRecords | None = None) -> None:
    """Serve until cancelled; refuses a public bind without an API key."""
    settings.check_bind()
    if not log.handlers:  # the request log goes to stderr unless the embedding application routes it
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s junto.server %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    config = uvicorn.Config(
        create_app(junto, settings=settings, records=records),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
    )
    await uvicorn.Server(config).serve()
