"""[budget], [sandbox] and [server] in junto.toml reach the runs, the containers and `junto serve`; flags win."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from junto.agents import GeneralSpecialist
from junto.graphs import FunctionSpecialist, Plan, PlanTask
from junto.graphs._join import JoinAggregator
from junto.sandbox import FakeSandbox, SandboxLimits

from junto import Budget
from junto._junto import Junto
from junto._plan import PlanOutcome
from junto._tasks import AgentContext, Status, TaskKind, TaskResult, TextOutput
from junto.models import FunctionModel, Roster
from junto.models._types import Usage

MiB = 1024 * 1024


class OneTaskPlanner:
    def __init__(self, kind: TaskKind = TaskKind.GENERAL) -> None:
        self.kind = kind

    async def plan(self, task: str, ctx: AgentContext, *, history=None) -> PlanOutcome:
        plan = Plan(tasks=[PlanTask(id="answer", kind=self.kind, instruction=task)])
        return PlanOutcome(plan=plan, source="planner", repairs=[], usage=Usage(), cost_usd=0.0)


def _collaborators(tmp_path: Path) -> dict:
    """Everything but the configuration: a FunctionModel behind the real general specialist."""
    model = FunctionModel(lambda messages, request: "Paris is the capital of France.", name="fn")
    return {
        "roster": Roster.single(model),
        "planner": OneTaskPlanner(),
        "aggregator": JoinAggregator(),
        "specialists": {TaskKind.GENERAL: GeneralSpecialist()},
        "store": tmp_path / "junto.db",
        "checkpoints": False,
    }


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "junto.toml"
    path.write_text(text)
    return path


async def _run(junto: Junto, task: str = "What is the capital of France?"):
    try:
        return await junto.run(task)
    finally:
        await junto.aclose()


async def test_budget_section_stops_every_run(tmp_path: Path) -> None:
    unlimited = await _run(Junto.from_config(_toml(tmp_path, ""), **_collaborators(tmp_path)))
    assert unlimited.exit_reason == "completed" and unlimited.usage.tokens > 5

    path = _toml(tmp_path, "[budget]\ntokens = 5\n")
    junto = Junto.from_config(path, **_collaborators(tmp_path))
    assert junto.budget == Budget(max_tokens=5)
    result = await _run(junto)
    assert result.exit_reason == "budget"
    assert result.usage.tokens <= 5
    assert result.results["answer"].reason.startswith("budget")


async def test_a_budget_given_in_code_replaces_only_the_limits_it_sets(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[budget]\ntokens = 5\nusd = 0.5\n")
    junto = Junto.from_config(path, budget=Budget(max_tokens=100_000), **_collaborators(tmp_path))
    assert junto.budget == Budget(max_tokens=100_000, max_cost_usd=0.5)
    assert (await _run(junto)).exit_reason == "completed"
    # a run's own budget overrides the Junto's the same way
    junto = Junto.from_config(path, **_collaborators(tmp_path))
    try:
        result = await junto.run("What is the capital of France?", budget=Budget(max_tokens=100_000))
    finally:
        await junto.aclose()
    assert result.exit_reason == "completed"


@pytest.fixture
def cli_collaborators(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`junto run` reads junto.toml as usual; only the models and agents are test doubles."""
    real = Junto.from_config.__func__

    def from_config(cls, path=None, **overrides):
        return real(cls, path, **{**_collaborators(tmp_path), **overrides})

    monkeypatch.setattr(Junto, "from_config", classmethod(from_config))


@pytest.mark.usefixtures("cli_collaborators")
def test_cli_run_honours_the_budget_section_and_its_flags_override_it(tmp_path: Path, capsys) -> None:
    from junto.cli import main

    path = _toml(tmp_path, "[budget]\ntokens = 5\n")
    assert main(["run", "What is the capital of France?", "--json", "--config", str(path)]) == 5  # the budget stopped the run
    assert json.loads(capsys.readouterr().out)["exit_reason"] == "budget"

    assert main(["run", "What is the capital of France?", "--json", "--config", str(path), "--budget-tokens", "100000"]) == 0
    assert json.loads(capsys.readouterr().out)["exit_reason"] == "completed"


async def test_sandbox_section_holds_the_containers_a_junto_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from junto.sandbox import DockerSandbox

    started: list[SandboxLimits | None] = []

    @contextlib.asynccontextmanager
    async def start(*, limits: SandboxLimits | None = None, **options):
        started.append(limits)
        yield FakeSandbox()

    monkeypatch.setattr(DockerSandbox, "start", start)

    async def code(task, inputs, ctx) -> TaskResult:
        return TaskResult(task_id=task.id, kind=task.kind, status=Status.VERIFIED, output=TextOutput(text="ran"))

    options = {
        **_collaborators(tmp_path),
        "planner": OneTaskPlanner(TaskKind.CODE),
        "specialists": {TaskKind.CODE: FunctionSpecialist(TaskKind.CODE, code)},
    }
    path = _toml(tmp_path, '[sandbox]\nmemory = "512m"\ncpus = 2\nnetwork = false\n')
    result = await _run(Junto.from_config(path, **options), "write code")
    assert result.exit_reason == "completed"
    assert started == [SandboxLimits(memory=512 * MiB, cpus=2.0)]


def test_sandbox_run_memory_flag_overrides_the_section(tmp_path: Path) -> None:
    from junto.cli._sandbox import configured_limits

    path = _toml(tmp_path, '[sandbox]\nmemory = "512m"\npids = 32\n')
    assert configured_limits(path) == SandboxLimits(memory=512 * MiB, pids=32)
    assert configured_limits(path, memory="1g") == SandboxLimits(memory=1024 * MiB, pids=32)


SERVER_TOML = """
[server]
host = "localhost"
port = 9100
max_concurrent_runs = 2
max_body_bytes = 4096
keep_runs = 10

[budget]
tokens = 5000
usd = 0.25
"""


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list:
    """What `junto serve` would serve with; nothing listens."""
    import junto.server

    calls: list = []

    async def serve(junto, *, settings):
        calls.append((junto, settings))

    monkeypatch.setattr(junto.server, "serve", serve, raising=False)
    monkeypatch.delenv("JUNTO_API_KEY", raising=False)
    return calls


def test_server_section_reaches_serve_settings(tmp_path: Path, served: list) -> None:
    from junto.cli import main

    path = _toml(tmp_path, SERVER_TOML)
    assert main(["serve", "--config", str(path)]) == 0
    [(junto, settings)] = served
    assert (settings.host, settings.port, settings.max_concurrent_runs, settings.max_body_bytes, settings.keep_runs) == (
        "localhost",
        9100,
        2,
        4096,
        10,
    )
    # [budget] sets every run's ceiling; the server's own default wall-time ceiling stays
    assert settings.budget_ceiling == Budget(max_tokens=5000, max_cost_usd=0.25, max_wall_s=600.0)
    assert junto.budget == Budget(max_tokens=5000, max_cost_usd=0.25)


def test_serve_flags_override_the_server_section(tmp_path: Path, served: list) -> None:
    from junto.cli import main

    path = _toml(tmp_path, SERVER_TOML)
    args = ["serve", "--config", str(path), "--port", "9200", "--max-runs", "3", "--budget-tokens", "7", "--timeout", "30"]
    assert main(args) == 0
    [(_, settings)] = served
    assert (settings.host, settings.port, settings.max_concurrent_runs, settings.max_body_bytes) == ("localhost", 9200, 3, 4096)
    assert settings.budget_ceiling == Budget(max_tokens=7, max_cost_usd=0.25, max_wall_s=30.0)


def test_server_defaults_without_a_section(tmp_path: Path, served: list) -> None:
    from junto.cli import main

    assert main(["serve", "--config", str(_toml(tmp_path, ""))]) == 0
    [(_, settings)] = served
    assert (settings.host, settings.port, settings.max_concurrent_runs) == ("127.0.0.1", 8000, 4)
    assert settings.budget_ceiling == Budget(max_tokens=200_000, max_wall_s=600.0)


def test_a_public_host_from_the_file_still_needs_an_api_key(tmp_path: Path, served: list, capsys) -> None:
    from junto.cli import main

    assert main(["serve", "--config", str(_toml(tmp_path, '[server]\nhost = "0.0.0.0"\n'))]) == 2
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err
    assert served == []


def test_an_unknown_key_is_refused_by_every_command(tmp_path: Path, capsys) -> None:
    from junto.cli import main

    path = _toml(tmp_path, '[sandbox]\nmemory = "nonsense"\n')
    assert main(["run", "hi", "--config", str(path)]) == 2
    assert f"{path}: sandbox.memory: cannot read 'nonsense' as a size" in capsys.readouterr().err
    path = _toml(tmp_path, "[server]\nportt = 1\n")
    assert main(["serve", "--config", str(path)]) == 2
    assert f"{path}: server.portt: unknown key" in capsys.readouterr().err
