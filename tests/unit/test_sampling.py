"""Several candidates per round: drawn diverse, checked as they arrive, chosen by checks and agreement."""

from __future__ import annotations

import json

import pytest
from junto.agents import AgentContext, MathSpecialist, Status, TaskKind, TaskSpec, TextOutput
from junto.agents._loop import CheckOutcome, Generation, judge_status, run_checked
from junto.agents._sampling import schedule

from junto._budget import Budget, BudgetTracker
from junto._tasks import CheckResult, PromptForm, Spec
from junto.models import ChatModel, FunctionModel, Message, ModelRequest, Roster
from junto.models._types import Role


def _math(expression: str, answer: str) -> str:
    return json.dumps(
        {"kind": "evaluate", "expression": expression, "variable": "x", "point": None, "answer": answer, "work": ""}
    )


def test_the_schedule_keeps_the_first_request_and_spreads_the_rest() -> None:
    plan = schedule(5)
    assert plan[0].temperature is None and plan[0].seed is None  # the specialist's own request
    assert [p.seed for p in plan[1:]] == [1, 2, 3, 4]
    assert len({p.temperature for p in plan[1:]}) == 4 and all(0 < p.temperature <= 1.0 for p in plan[1:])
    assert schedule(5) == plan  # reproducible


def test_a_schedule_takes_the_given_temperatures_in_turn_and_needs_one() -> None:
    plan = schedule(5, (0.2, 0.5))
    assert [(p.temperature, p.seed) for p in plan[1:]] == [(0.2, 1), (0.5, 2), (0.2, 3), (0.5, 4)]
    with pytest.raises(ValueError, match="at least one temperature"):
        schedule(3, ())


def test_prompt_forms_each_come_first_as_asked_then_take_turns_at_the_temperatures() -> None:
    plain, own = PromptForm.PLAIN, PromptForm.OWN
    plan = schedule(5, (0.2, 0.5), (plain, own))
    assert [(p.form, p.temperature, p.seed) for p in plan] == [
        (plain, None, None),
        (own, None, None),
        (plain, 0.2, 2),
        (own, 0.5, 3),
        (plain, 0.2, 4),
    ]
    assert [p.form for p in schedule(1, (0.2,), (plain, own))] == [plain]
    with pytest.raises(ValueError, match="at least one prompt form"):
        schedule(3, (0.2,), ())


async def test_the_first_verified_candidate_ends_the_round_and_the_rest_are_recorded_as_not_needed() -> None:
    requests: list[ModelRequest] = []

    def reply(messages, request):
        requests.append(request)
        return _math("7*(12 + 5)", "119" if request.seed == 2 else "89")

    model = FunctionModel(reply)
    task = TaskSpec(id="m", kind=TaskKind.MATH, instruction="Evaluate 7*(12 + 5).", samples=4, max_attempts=1)
    result = await MathSpecialist().run(task, {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.VERIFIED and result.output.answer == "119"
    assert [a.candidate for a in result.attempts] == [0, 1, 2, 3]
    assert [a.round for a in result.attempts] == [1, 1, 1, 1]
    chosen = next(a for a in result.attempts if a.output == result.output)
    assert chosen.seed == 2 and chosen.temperature == schedule(4)[2].temperature
    assert "candidate 2 of 4 (verified)" in result.selection
    temperatures = sorted(r.temperature for r in requests)
    assert temperatures[0] == 0.0 and len(set(temperatures)) > 1  # diverse on purpose


async def test_an_unverifiable_question_takes_the_answer_most_candidates_agree_on() -> None:
    answers = {None: "150", 1: "120", 2: "150.0", 3: "150.00"}

    def reply(messages, request):
        answer = answers[request.seed]
        return _math("60*2.5" if answer != "120" else "60*2", answer)

    task = TaskSpec(
        id="m", kind=TaskKind.MATH, instruction="A train goes 60 km/h for 2.5 hours. How far?", samples=4, max_attempts=1
    )
    result = await MathSpecialist().run(task, {}, AgentContext(roster=Roster.single(FunctionModel(reply))))
    # the '60*2' candidate failed (it drops 2.5); the three others agree on 150, and nothing independent can confirm it
    assert result.status is Status.UNVERIFIED and result.output.answer == "150"
    assert "150 x3" in result.selection and "120 x1" in result.selection
    assert sum(1 for a in result.attempts if any(c.passed is False for c in a.checks)) == 1


async def test_each_round_feeds_back_its_best_failure() -> None:
    seen: list[str] = []

    async def generate(model, task, inputs, history):
        seen.append(history[-1].output.text if history else "")
        completion = await model.complete(ModelRequest(messages=[Message.user(task.instruction)]))
        return Generation(output=TextOutput(text=completion.text), completion=completion)

    async def check(output, task, inputs, ctx):
        hits = output.text.count("a")
        return CheckOutcome(
            checks=[
                CheckResult(name="some a", passed=hits >= 1, evidence=f"{hits} a", spec=Spec.USER),
                CheckResult(name="three a", passed=hits >= 3, evidence=f"{hits} a", spec=Spec.USER),
            ]
        )

    def reply(messages, request):
        return {None: "a", 1: "aa", 2: "b"}[request.seed] if len(seen) <= 3 else "aaa"

    task = TaskSpec(id="t", kind=TaskKind.GENERAL, instruction="say a three times", samples=3, max_attempts=2)
    result = await run_checked(task, {}, AgentContext(roster=Roster.single(FunctionModel(reply))), generate=generate, check=check)
    assert result.status is Status.VERIFIED
    assert seen[3:] == ["aa", "aa", "aa"]  # round 2 was shown round 1's best candidate (most checks passed, then the latest)


async def test_a_short_budget_draws_fewer_candidates_and_keeps_what_it_drew() -> None:
    def reply(messages, request):
        return _math("60*2.5", "150")

    tracker = BudgetTracker(Budget(max_tokens=2 * 330))  # room for two reservations of this prompt, not four
    task = TaskSpec(
        id="m", kind=TaskKind.MATH, instruction="A train goes 60 km/h for 2.5 hours. How far?", samples=4, max_attempts=1
    )
    result = await MathSpecialist(max_tokens=256).run(
        task, {}, AgentContext(roster=Roster.single(FunctionModel(reply)), budget=tracker)
    )
    assert 1 <= len(result.attempts) < 4
    assert result.output is not None and result.output.answer == "150"


def test_samples_come_from_the_task_then_the_role() -> None:
    ctx = AgentContext(roster=Roster.single(FunctionModel(lambda m, r: "")), samples={Role.MATH: 3})
    assert ctx.samples_for(TaskSpec(id="a", kind=TaskKind.MATH, instruction="x")) == 3
    assert ctx.samples_for(TaskSpec(id="a", kind=TaskKind.MATH, instruction="x", samples=5)) == 5
    assert ctx.samples_for(TaskSpec(id="a", kind=TaskKind.CODE, instruction="x")) == 1


def test_samples_come_from_the_task_then_the_role_then_the_model_the_role_starts_on() -> None:
    def model(name: str, **settings) -> FunctionModel:
        return FunctionModel(lambda m, r: "", name=name, **settings)

    roster = Roster(
        {Role.MATH: [model("cheap", samples=5), model("strong", samples=7)], Role.CODE: [model("plain")]},
        default=[model("fallback", samples=2)],
    )
    math, code, writing = (
        TaskSpec(id="a", kind=kind, instruction="x") for kind in (TaskKind.MATH, TaskKind.CODE, TaskKind.WRITING)
    )
    bare = AgentContext(roster=roster)
    assert bare.samples_for(math) == 5  # the first tier's, not the strongest's
    assert bare.samples_for(code) == 1  # its model does not say
    assert bare.samples_for(writing) == 2  # a role without tiers of its own starts on the default model
    by_role = AgentContext(roster=roster, samples={Role.MATH: 3})
    assert by_role.samples_for(math) == 3  # the role's setting beats its model's
    assert by_role.samples_for(math.model_copy(update={"samples": 4})) == 4  # the task's own beats both
    assert by_role.samples_for(writing) == 2


async def test_a_run_draws_the_samples_of_the_model_its_role_starts_on(tmp_path) -> None:
    from junto.graphs import TaskGraph

    from junto import Junto

    model = FunctionModel(lambda m, r: _math("6*7", "42"), samples=3)
    graph = TaskGraph()
    graph.math("A crate holds 6 rows of 7 jars. How many jars?")
    async with Junto.start(roster=Roster.single(model), store=tmp_path / "j.db") as junto:
        drawn = await junto.run(graph)
    async with Junto.start(roster=Roster.single(model), store=tmp_path / "j.db", samples=2) as junto:  # as --samples 2
        flagged = await junto.run(graph)
    assert [a.candidate for a in next(iter(drawn.results.values())).attempts] == [0, 1, 2]
    assert [a.candidate for a in next(iter(flagged.results.values())).attempts] == [0, 1]


def test_junto_toml_model_samples_sit_under_the_role_table_and_the_flag(tmp_path) -> None:
    from junto import Junto

    path = tmp_path / "junto.toml"
    path.write_text(
        '[models.small]\nprovider = "local"\nsamples = 5\n\n[roles]\nmath = ["small"]\ncode = ["small"]\n\n[samples]\ncode = 3\n'
    )
    math, code = (TaskSpec(id="a", kind=kind, instruction="x") for kind in (TaskKind.MATH, TaskKind.CODE))

    def drawn(junto: Junto) -> tuple[int, int]:
        assert junto.roster is not None
        ctx = AgentContext(roster=junto.roster, samples=junto.samples)
        return ctx.samples_for(math), ctx.samples_for(code)

    assert drawn(Junto.from_config(path, store=tmp_path / "j.db")) == (5, 3)
    assert drawn(Junto.from_config(path, store=tmp_path / "j.db", samples=2)) == (2, 2)  # what --samples 2 passes


def test_the_embedded_model_takes_its_measured_default(monkeypatch) -> None:
    from junto._config import JuntoConfig

    monkeypatch.setattr("junto.models._local.DEFAULT_SAMPLES", 4)
    config = JuntoConfig()  # no junto.toml: every role on the embedded model
    assert config.samples_for(Role.CODE) == 4
    local = config.build_model("local")
    assert isinstance(local, ChatModel) and local.samples == 4
    assert AgentContext(roster=config.build_roster()).samples_for(TaskSpec(id="a", kind=TaskKind.CODE, instruction="x")) == 4
    own = JuntoConfig.from_toml('[models.local]\nprovider = "local"\nsamples = 2\n')
    assert own.samples_for(Role.CODE) == 2  # a model's own setting beats its kind's
    other = JuntoConfig.from_toml('[models.local]\nprovider = "local"\nmodel_path = "other.gguf"\n')
    assert other.samples_for(Role.CODE) == 1  # measured on the embedded weights, not on any GGUF
    remote = JuntoConfig.from_toml('[models.r]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n')
    assert remote.samples_for(Role.CODE) == 1


def test_samples_per_role_come_from_junto_toml_and_bad_values_are_refused(tmp_path) -> None:
    import pytest

    from junto import ConfigError, Junto
    from junto._config import JuntoConfig

    path = tmp_path / "junto.toml"
    path.write_text("[samples]\nmath = 3\ncode = 8\n")
    junto = Junto.from_config(path, store=tmp_path / "j.db")
    assert junto.samples == {Role.MATH: 3, Role.CODE: 8}
    assert Junto.from_config(path, store=tmp_path / "j.db", samples=2).samples[Role.WRITING] == 2  # the flag wins, for every role
    with pytest.raises(ConfigError, match="samples"):
        JuntoConfig.from_toml("[samples]\nmath = 0\n")
    with pytest.raises(ConfigError, match="samples"):
        JuntoConfig.from_toml("[samples]\nchef = 2\n")


async def test_a_run_draws_the_samples_its_junto_was_given(tmp_path) -> None:
    from junto.graphs import TaskGraph

    from junto import Junto

    model = FunctionModel(lambda m, r: _math("6*7", "42"))
    graph = TaskGraph()
    graph.math("A crate holds 6 rows of 7 jars. How many jars?")
    async with Junto.start(roster=Roster.single(model), store=tmp_path / "j.db", samples={"math": 3}) as junto:
        result = await junto.run(graph)
    (task,) = result.results.values()
    assert [a.candidate for a in task.attempts] == [0, 1, 2]  # unverifiable: every candidate is drawn and they vote
    assert "42 x3" in task.selection


async def test_candidates_that_finish_alongside_the_verified_one_are_kept_not_lost() -> None:
    async def generate(model, task, inputs, history):
        completion = await model.complete(ModelRequest(messages=[Message.user(task.instruction)]))
        return Generation(output=TextOutput(text=completion.text), completion=completion)

    async def check(output, task, inputs, ctx):  # no await: every candidate can be done before the first is read
        return CheckOutcome(checks=[CheckResult(name="said", passed=output.text == "yes", evidence=output.text, spec=Spec.USER)])

    task = TaskSpec(id="t", kind=TaskKind.GENERAL, instruction="say yes", samples=6, max_attempts=1)
    for _ in range(20):
        ctx = AgentContext(roster=Roster.single(FunctionModel(lambda m, r: "yes")))
        result = await run_checked(task, {}, ctx, generate=generate, check=check)
        assert [a.candidate for a in result.attempts] == [0, 1, 2, 3, 4, 5]
        assert all(a.output is not None or (a.error or "").startswith("not needed") for a in result.attempts)
        assert result.status is Status.VERIFIED


def test_junto_eval_names_the_ensemble_by_the_candidates_its_specialists_draw(monkeypatch) -> None:
    from junto._config import JuntoConfig
    from junto.cli._eval import ensemble_name

    monkeypatch.setattr("junto.models._local.DEFAULT_SAMPLES", 1)
    plain = JuntoConfig()  # no junto.toml: the embedded model, one candidate
    assert ensemble_name(plain) == "junto"
    assert ensemble_name(plain, 1) == "junto-s1"  # --samples 1
    own = JuntoConfig.from_toml('[models.small]\nprovider = "local"\nsamples = 2\n')
    assert ensemble_name(own) == "junto-s2"  # the model's own samples, with no --samples
    assert ensemble_name(own, 3) == "junto-s3"  # --samples beats the model's
    by_role = JuntoConfig.from_toml('[models.small]\nprovider = "local"\nsamples = 2\n\n[samples]\ncode = 4\n')
    assert ensemble_name(by_role) == "junto-s2-code-s4"
    started = JuntoConfig.from_toml(
        '[models.small]\nprovider = "local"\n\n[models.wide]\nprovider = "local"\nsamples = 4\n\n[roles]\nmath = ["wide", "small"]\n'
    )
    assert ensemble_name(started) == "junto-s1-math-s4"  # only the role starting on the model with samples draws more
    monkeypatch.setattr("junto.models._local.DEFAULT_SAMPLES", 3)
    assert ensemble_name(plain) == "junto-s3"  # the embedded model's measured default


async def test_rivals_weaken_what_the_instruction_verifies_but_never_what_the_user_does() -> None:
    """With a rivals step, only the user's own specification ends a round early; the rivals may unverify the rest."""

    async def generate(model, task, inputs, history):
        completion = await model.complete(ModelRequest(messages=[Message.user(task.instruction)]))
        return Generation(output=TextOutput(text=completion.text), completion=completion)

    def checker(spec: Spec):
        async def check(output, task, inputs, ctx):
            return CheckOutcome(checks=[CheckResult(name="stated", passed=output.text != "bad", evidence="", spec=spec)])

        return check

    held: list[list[int]] = []

    async def rivals(candidates, task, ctx):
        held.append([a.candidate for a in candidates])
        weakened = CheckResult(name="stated", passed=True, evidence="a rival differs", spec=Spec.MODEL)
        return {a.candidate: [weakened] for a in candidates if a.output is not None and a.output.text == "x"}

    def reply(messages, request):
        return {None: "x", 1: "y", 2: "bad"}[request.seed]

    task = TaskSpec(id="t", kind=TaskKind.GENERAL, instruction="say x", samples=3, max_attempts=1)
    ctx = AgentContext(roster=Roster.single(FunctionModel(reply)))
    stated = await run_checked(task, {}, ctx, generate=generate, check=checker(Spec.INSTRUCTION), rivals=rivals)
    assert held == [[0, 1, 2]]  # every candidate was drawn and held to the others
    # 'x' came first and is verified by its own check, so it is chosen; the rivals left it unverified
    assert stated.status is Status.UNVERIFIED and stated.output.text == "x"
    assert "(unverified; verified by its own checks, not once held to its rivals)" in stated.selection
    assert stated.attempts[0].checks[0].evidence == "a rival differs"

    held.clear()
    users = await run_checked(task, {}, ctx, generate=generate, check=checker(Spec.USER), rivals=rivals)
    # the user's specification ends the round at its first verified candidate; the rivals cannot weaken it
    assert users.status is Status.VERIFIED and users.output.text in ("x", "y")
    assert all(judge_status(a.checks) is not Status.UNVERIFIED for a in users.attempts if a.output is not None)
