"""``junto trace RUN --html FILE``: one run as a self-contained HTML page.

The page holds the plan graph, a timeline of the run as a Gantt chart (each
task's bar, the time it waited for the tasks it depends on, arrows from
each dependency's end), every attempt and candidate with its checks (the
specification each held the output to: user, instruction, upstream or
model, and the evidence), and each model call's tokens, cost and latency.

Everything is inline (CSS, a few lines of JS, SVG): the file fetches nothing.
Every piece of text from the record is escaped; task text is untrusted.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field

from junto import _events as ev
from junto._runs import RunRecord
from junto._tasks import Attempt, CheckResult, TaskResult

__all__ = ["render_html"]

_STATUS_COLOUR = {
    "verified": "#1a7f37",
    "unverified": "#0969da",
    "failed": "#cf222e",
    "skipped": "#8c959f",
    "partial": "#bf8700",
}
_KIND_COLOUR = {"math": "#8250df", "code": "#0969da", "writing": "#bf3989", "general": "#57606a"}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Bar:
    """One row of the timeline."""

    label: str
    start: float
    end: float
    colour: str
    kind: str = ""
    task_id: str = ""
    ready: float | None = None  # when its last dependency finished
    waits_for: list[str] = field(default_factory=list)
    attempts: list[tuple[float, float, str, str]] = field(default_factory=list)  # start, end, colour, tooltip


def _timeline(record: RunRecord) -> tuple[float, list[_Bar]]:
    """The run's start and its rows: plan, each task, aggregate; from the recorded events."""
    events = record.events
    started = next((e.at for e in events if isinstance(e, ev.RunStarted)), record.started_at)
    bars: list[_Bar] = []
    plan = next((e for e in events if isinstance(e, ev.PlanCreated)), None)
    if plan is not None:
        bars.append(_Bar("plan", started, plan.at, "#6e7781", kind="plan"))
    task_start = {e.task_id: e.at for e in events if isinstance(e, ev.TaskStarted)}
    task_end = {e.task_id: e for e in events if isinstance(e, ev.TaskFinished)}
    depends = {t.id: list(t.depends_on) for t in record.result.plan.tasks}
    kinds = {t.id: t.kind.value for t in record.result.plan.tasks}
    order = {t.id: i for i, t in enumerate(record.result.plan.tasks)}
    for task_id, done in sorted(task_end.items(), key=lambda item: (order.get(item[0], len(order)), item[1].at)):
        start = task_start.get(task_id, done.at)
        deps = [d for d in depends.get(task_id, []) if d in task_end]
        ready = max((task_end[d].at for d in deps), default=None)
        colour = _STATUS_COLOUR.get(done.status.value, "#57606a")
        bar = _Bar(task_id, start, done.at, colour, kind=kinds.get(task_id, ""), task_id=task_id, ready=ready, waits_for=deps)
        bars.append(bar)
    rows = {b.task_id: b for b in bars if b.task_id}
    for attempt in (e for e in events if isinstance(e, ev.TaskAttempt) and e.task_id in rows):
        rows[attempt.task_id].attempts.append(_attempt_segment(attempt, events))
    agg_start = next((e.at for e in events if isinstance(e, ev.AggregateStarted)), None)
    agg_end = next((e.at for e in events if isinstance(e, ev.AggregateFinished)), None)
    if agg_start is not None:
        bars.append(_Bar("aggregate", agg_start, agg_end or agg_start, "#6e7781", kind="aggregate"))
    return started, bars


def _attempt_segment(attempt: ev.TaskAttempt, events: list[ev.Event]) -> tuple[float, float, str, str]:
    """One candidate on the timeline: from its start to its last call or check, coloured by its checks."""
    key = (attempt.task_id, attempt.attempt)
    end, lines, checks = attempt.at, [], []
    for e in events:
        if isinstance(e, ev.ModelCalled | ev.SandboxRan) and (e.task_id, e.attempt) == key:
            end = max(end, e.started_at + e.duration_s)
            what = "sandbox run" if isinstance(e, ev.SandboxRan) else f"call {e.model}"
            lines.append(f"{what} {e.duration_s:.3f}s" + (f" ({e.error})" if e.error else ""))
        elif isinstance(e, ev.TaskChecked) and (e.task_id, e.attempt) == key:
            end = max(end, e.at)
            checks.append(e.check)
            lines.append(f"{ {True: '✓', False: '✗', None: '?'}[e.check.passed] } {e.check.name} (spec: {e.check.spec.value})")
    if any(c.passed is False for c in checks):
        colour = _STATUS_COLOUR["failed"]
    elif any(c.confirms for c in checks):
        colour = _STATUS_COLOUR["verified"]
    else:
        colour = _STATUS_COLOUR["partial"]
    tip = f"attempt {attempt.attempt} · {attempt.model} tier {attempt.tier} · {end - attempt.at:.2f}s\n" + "\n".join(lines)
    return attempt.at, end, colour, tip


def _gantt(record: RunRecord) -> str:
    started, bars = _timeline(record)
    if not bars:
        return '<p class="dim">This run recorded no timing events.</p>'
    end = max([b.end for b in bars] + [started + record.result.duration_s])
    span = max(end - started, 1e-6)
    label_w, chart_w, row_h, top = 150, 760, 30, 26
    width, height = label_w + chart_w + 40, top + row_h * len(bars) + 10

    def x(t: float) -> float:
        return label_w + (t - started) / span * chart_w

    parts = [
        f'<svg class="gantt" role="img" aria-label="timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker>'
        '<pattern id="wait" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="3" height="6" fill="#d0d7de"/></pattern></defs>',
    ]
    for i in range(6):  # time axis
        t = started + span * i / 5
        parts.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height}" class="grid"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{top - 10}" class="axis">{span * i / 5:.2f}s</text>')
    rows: dict[str, int] = {}
    for i, bar in enumerate(bars):
        y = top + i * row_h
        rows[bar.task_id] = i
        tip = f"{bar.label}: {bar.start - started:.2f}s → {bar.end - started:.2f}s ({bar.end - bar.start:.2f}s)"
        if bar.waits_for:
            tip += "; waited for " + ", ".join(bar.waits_for)
        parts.append(f'<g class="row" data-task="{_e(bar.task_id)}"><title>{_e(tip)}</title>')
        parts.append(f'<text x="4" y="{y + 19}" class="label">{_e(_cut(bar.label, 20))}</text>')
        if bar.ready is not None:
            first = min(bars[0].end if bars[0].kind == "plan" else started, bar.start)
            parts.append(
                f'<rect x="{x(first):.1f}" y="{y + 8}" width="{max(x(bar.start) - x(first), 0):.1f}" height="12" '
                f'fill="url(#wait)" class="waiting"/>'
            )
        w = max(x(bar.end) - x(bar.start), 2.0)
        height = 14 if bar.attempts else 20
        parts.append(
            f'<rect x="{x(bar.start):.1f}" y="{y + 4}" width="{w:.1f}" height="{height}" rx="3" fill="{bar.colour}" class="bar"/>'
        )
        for a, b, colour, what in bar.attempts:
            parts.append(
                f'<rect x="{x(a):.1f}" y="{y + 20}" width="{max(x(b) - x(a), 2.0):.1f}" height="6" rx="1" fill="{colour}" '
                f'stroke="#ffffff" stroke-width="0.5" class="candidate"><title>{_e(what)}</title></rect>'
            )
        parts.append("</g>")
    for i, bar in enumerate(bars):  # dataflow: an arrow from each dependency's end to this task's start
        for dep in bar.waits_for:
            j = rows.get(dep)
            if j is None:
                continue
            x1, y1 = x(bars[j].end), top + j * row_h + 14
            x2, y2 = x(bar.start), top + i * row_h + 14
            parts.append(
                f'<path d="M{x1:.1f},{y1:.1f} C{x1 + 14:.1f},{y1:.1f} {x2 - 14:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
                f'class="flow" marker-end="url(#arrow)"><title>{_e(bar.label)} waited for {_e(dep)}</title></path>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _depths(record: RunRecord) -> dict[str, int]:
    tasks = {t.id: t for t in record.result.plan.tasks}
    depth: dict[str, int] = {}

    def of(task_id: str, seen: frozenset[str]) -> int:
        if task_id in depth:
            return depth[task_id]
        deps = [d for d in tasks[task_id].depends_on if d in tasks and d not in seen]
        depth[task_id] = 1 + max((of(d, seen | {task_id}) for d in deps), default=-1)
        return depth[task_id]

    for task_id in tasks:
        of(task_id, frozenset())
    return depth


def _plan_graph(record: RunRecord) -> str:
    tasks = record.result.plan.tasks
    if not tasks:
        return '<p class="dim">No plan was made.</p>'
    depth = _depths(record)
    columns: dict[int, list[str]] = {}
    for t in tasks:
        columns.setdefault(depth[t.id], []).append(t.id)
    node_w, node_h, gap_x, gap_y = 170, 50, 70, 22
    pos = {tid: (20 + d * (node_w + gap_x), 20 + i * (node_h + gap_y)) for d, ids in columns.items() for i, tid in enumerate(ids)}
    width = 40 + len(columns) * (node_w + gap_x)
    height = 40 + max(len(ids) for ids in columns.values()) * (node_h + gap_y)
    parts = [
        f'<svg class="plan" role="img" aria-label="plan graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        '<defs><marker id="plan-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>',
    ]
    for t in tasks:
        for dep in t.depends_on:
            if dep not in pos:
                continue
            (x1, y1), (x2, y2) = pos[dep], pos[t.id]
            parts.append(
                f'<path d="M{x1 + node_w},{y1 + node_h / 2} C{x1 + node_w + 35},{y1 + node_h / 2} {x2 - 35},{y2 + node_h / 2} '
                f'{x2},{y2 + node_h / 2}" class="edge" marker-end="url(#plan-arrow)"/>'
            )
    results = record.result.results
    for t in tasks:
        x, y = pos[t.id]
        result = results.get(t.id)
        status = result.status.value if result is not None else "not run"
        colour = _STATUS_COLOUR.get(status, "#8c959f")
        parts.append(
            f'<g class="node" data-task="{_e(t.id)}"><title>{_e(t.instruction)}</title>'
            f'<rect x="{x}" y="{y}" width="{node_w}" height="{node_h}" rx="6" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
            f'<rect x="{x}" y="{y}" width="6" height="{node_h}" rx="3" fill="{_KIND_COLOUR.get(t.kind.value, "#57606a")}"/>'
            f'<text x="{x + 14}" y="{y + 20}" class="nid">{_e(_cut(t.id, 18))}</text>'
            f'<text x="{x + 14}" y="{y + 38}" class="nmeta">{_e(t.kind.value)} · '
            f'<tspan fill="{colour}">{_e(status)}</tspan></text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _badge(status: str) -> str:
    return f'<span class="badge" style="background:{_STATUS_COLOUR.get(status, "#57606a")}">{_e(status)}</span>'


def _check_row(check: CheckResult) -> str:
    mark, cls = {True: ("✓", "pass"), False: ("✗", "fail"), None: ("?", "undecided")}[check.passed]
    evidence = f"<pre>{_e(_cut(check.evidence, 4000))}</pre>" if check.evidence else ""
    return (
        f'<li class="check {cls}"><span class="mark">{mark}</span> <b class="cname">{_e(check.name)}</b> '
        f'<span class="tag spec-{_e(check.spec.value)}" title="whose specification">spec: {_e(check.spec.value)}</span> '
        f'<span class="tag">{_e(check.source)}</span>{evidence}</li>'
    )


def _attempt_block(attempt: Attempt) -> str:
    u = attempt.usage
    sampling = f" · candidate {attempt.candidate}" + (f" · T={attempt.temperature:g}" if attempt.temperature is not None else "")
    head = (
        f'<div class="attempt-head"><b>attempt {attempt.number}</b> · round {attempt.round}{_e(sampling)} · '
        f"<code>{_e(attempt.model)}</code> tier {attempt.tier} · {u.prompt_tokens}+{u.completion_tokens} tok · "
        f"${attempt.cost_usd:.4f} · {attempt.duration_s:.2f}s</div>"
    )
    error = f'<div class="error">error: {_e(attempt.error)}</div>' if attempt.error else ""
    checks = "".join(_check_row(c) for c in attempt.checks)
    checks_html = f'<ul class="checks">{checks}</ul>' if checks else '<div class="dim">no checks</div>'
    output = ""
    if attempt.output is not None:
        text = attempt.output.model_dump_json(indent=1)
        output = f"<details><summary>output</summary><pre>{_e(_cut(text, 8000))}</pre></details>"
    return f'<div class="attempt">{head}{error}{checks_html}{output}</div>'


def _task_card(result: TaskResult, instruction: str, replaced: bool = False) -> str:
    u = result.usage
    head = (
        f'<h3 id="task-{_e(result.task_id)}">{_e(result.task_id)} <span class="kind">{_e(result.kind.value)}</span> '
        f"{_badge(result.status.value)}{' <span class=tag>replaced</span>' if replaced else ''}</h3>"
        f'<div class="dim">{u.total_tokens} tok · ${result.cost_usd:.4f} · {result.duration_s:.2f}s · '
        f"{len(result.attempts)} attempt(s)</div>"
    )
    body = f'<blockquote class="instruction">{_e(instruction)}</blockquote>' if instruction else ""
    if result.reason:
        body += f'<div class="reason">reason: {_e(result.reason)}</div>'
    if result.selection:
        body += f'<div class="dim">selection: {_e(result.selection)}</div>'
    body += "".join(_attempt_block(a) for a in result.attempts)
    if not result.attempts and result.checks:
        body += '<ul class="checks">' + "".join(_check_row(c) for c in result.checks) + "</ul>"
    output = result.output_text()
    if output:
        body += f"<details open><summary>chosen output</summary><pre>{_e(_cut(output, 8000))}</pre></details>"
    return f'<section class="task" data-task="{_e(result.task_id)}">{head}{body}</section>'


def _model_calls(record: RunRecord) -> str:
    calls = [e for e in record.events if isinstance(e, ev.ModelCalled)]
    started = next((e.at for e in record.events if isinstance(e, ev.RunStarted)), record.started_at)
    if calls:
        rows = "".join(
            f"<tr><td>{c.started_at - started:.2f}s</td><td>{_e(c.role)}</td><td>{_e(c.task_id)}</td>"
            f"<td>{c.attempt or ''}</td><td><code>{_e(c.model)}</code></td><td>{_e(c.provider)}</td>"
            f"<td class=num>{c.prompt_tokens}</td><td class=num>{c.completion_tokens}</td>"
            f"<td class=num>${c.cost_usd:.4f}</td><td class=num>{c.duration_s:.3f}s</td>"
            f"<td class=error>{_e(c.error or '')}</td></tr>"
            for c in calls
        )
        head = "<th>at</th><th>role</th><th>task</th><th>attempt</th><th>model</th><th>provider</th>"
        head += "<th>in tok</th><th>out tok</th><th>cost</th><th>latency</th><th>error</th>"
        return f'<table class="calls"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    rows = "".join(  # an older record: the attempts' own figures
        f"<tr><td>{_e(r.task_id)}</td><td>{a.number}</td><td><code>{_e(a.model)}</code></td>"
        f"<td class=num>{a.usage.prompt_tokens}</td><td class=num>{a.usage.completion_tokens}</td>"
        f"<td class=num>${a.cost_usd:.4f}</td><td class=num>{a.duration_s:.3f}s</td></tr>"
        for r in record.result.results.values()
        for a in r.attempts
    )
    head = "<th>task</th><th>attempt</th><th>model</th><th>in tok</th><th>out tok</th><th>cost</th><th>latency</th>"
    return f'<table class="calls"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _aggregate(record: RunRecord) -> str:
    a = record.aggregate
    if a is None:
        return ""
    consistent = {True: "consistent with the task results", False: "INCONSISTENT", None: "not checked"}[a.consistent]
    checks = "".join(_check_row(c) for c in a.checks)
    return (
        f"<h2>Aggregate</h2><p>{_e(consistent)} · {a.revisions} revision(s) · cites "
        f"{_e(', '.join(a.cited) or 'no task')}</p>" + (f'<ul class="checks">{checks}</ul>' if checks else "")
    )


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:1000px;margin:0 auto;padding:20px 24px;background:#fff;min-height:100vh}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:26px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:0 0 2px}.dim{color:#57606a}.num{text-align:right}code{font-size:12px}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
.kind{font-size:12px;color:#57606a;font-weight:normal}.tag{font-size:11px;border:1px solid #d0d7de;border-radius:8px;padding:0 6px;color:#57606a}
.spec-user,.spec-instruction,.spec-upstream{border-color:#1a7f37;color:#1a7f37}.spec-model{border-color:#bf8700;color:#9a6700}
.task{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;margin:10px 0}
.instruction{margin:6px 0;padding:4px 10px;border-left:3px solid #d0d7de;color:#424a53;white-space:pre-wrap}
.attempt{border-top:1px dashed #d0d7de;margin-top:8px;padding-top:6px}.attempt-head{font-size:13px}
.checks{list-style:none;padding-left:8px;margin:4px 0}.check{margin:3px 0}.mark{font-weight:bold}
.pass .mark{color:#1a7f37}.fail .mark{color:#cf222e}.undecided .mark{color:#bf8700}
pre{background:#f6f8fa;padding:6px 8px;border-radius:6px;white-space:pre-wrap;word-break:break-word;font-size:12px;margin:4px 0;max-height:320px;overflow:auto}
.error,.reason{color:#cf222e}.reason{color:#9a6700}
table.calls{border-collapse:collapse;width:100%;font-size:12px}.calls th,.calls td{border-bottom:1px solid #eaeef2;padding:3px 6px;text-align:left}
svg text{font:12px system-ui,sans-serif}.axis{fill:#57606a;font-size:11px;text-anchor:middle}.grid{stroke:#eaeef2}
.label{fill:#1f2328}.nid{font-weight:600}.nmeta{fill:#57606a;font-size:11px}
.edge,.flow{fill:none;stroke:#57606a;stroke-width:1.4}.flow{stroke-dasharray:4 3}
.row:hover .bar{opacity:.8}.legend span{margin-right:12px;font-size:12px}
.answer{white-space:pre-wrap;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px}
"""

_JS = """
document.querySelectorAll('[data-task]').forEach(function(el){
  el.addEventListener('click',function(){var t=document.getElementById('task-'+el.getAttribute('data-task'));
    if(t){t.scrollIntoView({behavior:'smooth'});}});
});
"""


def render_html(record: RunRecord) -> str:
    """The page for ``record``: a complete HTML document that loads nothing from anywhere."""
    r = record.result
    when = datetime.datetime.fromtimestamp(record.started_at, tz=datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    instructions = {t.id: t.instruction for t in r.plan.tasks}
    cards = "".join(_task_card(res, instructions.get(tid, "")) for tid, res in r.results.items())
    not_run = [t.id for t in r.plan.tasks if t.id not in r.results]
    if not_run:
        cards += f'<p class="dim">not run: {_e(", ".join(not_run))}</p>'
    replaced = "".join(_task_card(res, "", replaced=True) for res in record.replaced)
    repairs = "".join(f"<li>repair {i}: {_e('; '.join(errs))}</li>" for i, errs in enumerate(record.plan_repairs, 1))
    error = f'<p class="error">error: {_e(record.error)}</p>' if record.error else ""
    legend = "".join(f'<span style="color:{c}">■ {s}</span>' for s, c in _STATUS_COLOUR.items() if s != "partial")
    candidates = "".join(
        f'<span style="color:{_STATUS_COLOUR[s]}">▬ {label}</span>'
        for s, label in (("failed", "a check failed"), ("verified", "a check confirmed"), ("partial", "neither"))
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>junto run {_e(r.run_id)}</title><style>{_CSS}</style></head>
<body><main>
<h1>run <code>{_e(r.run_id)}</code> {_badge(r.status.value)}</h1>
<div class="dim">{_e(when)} · exit {_e(r.exit_reason.value)} · {r.duration_s:.2f}s ·
{r.usage.tokens} tokens · ${r.usage.cost_usd:.4f}{" · session " + _e(r.session_id) if r.session_id else ""}</div>
<blockquote class="instruction" id="request">{_e(r.task)}</blockquote>{error}
<h2>Plan <span class="dim">({_e(record.plan_source)})</span></h2>
{f'<ul class="reason">{repairs}</ul>' if repairs else ""}
{_plan_graph(record)}
<h2>Timeline</h2>
<div class="legend dim">{legend}<span>▨ waiting for its inputs</span><span>⇢ dataflow</span><br><span>candidates, under each task:</span>{candidates}</div>
{_gantt(record)}
<h2>Tasks</h2>{cards}{replaced}
<h2>Model calls</h2>{_model_calls(record)}
{_aggregate(record)}
<h2>Answer</h2><div class="answer" id="answer">{_e(r.answer) or '<span class="dim">no answer</span>'}</div>
</main><script>{_JS}</script></body></html>
"""
