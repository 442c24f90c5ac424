"""A model's own sampling settings (``temperature``, ``system_prompt``): applied to every request, on any backend."""

from __future__ import annotations

import json

import pytest
from junto.agents import AgentContext, MathSpecialist, Status, TaskKind, TaskSpec
from junto.agents._sampling import schedule
from pydantic import BaseModel

from junto import ConfigError, JuntoConfig
from junto import _events as ev
from junto._budget import Budget, BudgetedModel, BudgetTracker
from junto._observe import ObservedModel
from junto.models import ChatModel, FunctionModel, Message, ModelRequest, Roster
from junto.models._types import Role

PROMPT = "You are terse."


class Answer(BaseModel):
    value: int


def _recording(**settings) -> tuple[FunctionModel, list[ModelRequest]]:
    seen: list[ModelRequest] = []

    def reply(messages, request):
        seen.append(request)
        return '{"value": 5}' if request.output_type is not None else "five"

    return FunctionModel(reply, **settings), seen


async def test_the_models_temperature_applies_when_the_request_sets_none() -> None:
    model, seen = _recording(temperature=0.4)
    await model.complete(ModelRequest(messages=[Message.user("2+3?")]))
    await model.complete(ModelRequest(messages=[Message.user("2+3?")], temperature=0.0))  # explicit greedy wins
    await model.complete(ModelRequest(messages=[Message.user("2+3?")]).model_copy(update={"temperature": 1.1}))
    assert [r.temperature for r in seen] == [0.4, 0.0, 1.1]


async def test_without_settings_the_request_goes_as_it_is() -> None:
    model, seen = _recording()
    request = ModelRequest(messages=[Message.system("Plan."), Message.user("2+3?")])
    await model.complete(request)
    assert seen == [request]


async def test_the_system_prompt_is_prepended_or_merged_never_doubled() -> None:
    model, seen = _recording(system_prompt=PROMPT)
    await model.complete(ModelRequest(messages=[Message.user("2+3?")]))
    await model.complete(ModelRequest(messages=[Message.system("Answer in JSON."), Message.user("2+3?")]))
    assert seen[0].messages == [Message.system(PROMPT), Message.user("2+3?")]
    assert seen[1].messages == [Message.system(f"{PROMPT}\n\nAnswer in JSON."), Message.user("2+3?")]


async def test_streams_and_structured_repairs_carry_the_settings() -> None:
    replies = iter(["not json", '{"value": 5}'])
    seen: list[ModelRequest] = []

    def reply(messages, request):
        seen.append(request)
        return next(replies) if request.output_type is not None else "five apples"

    model = FunctionModel(reply, temperature=0.3, system_prompt=PROMPT)
    completion = await model.complete(ModelRequest(messages=[Message.user("2+3?")], output_type=Answer))
    assert completion.parsed == Answer(value=5)
    text = "".join([chunk.text async for chunk in model.stream(ModelRequest(messages=[Message.user("2+3?")]))])
    assert text == "five apples"
    assert len(seen) == 3  # the invalid answer, its repair, the stream
    assert all(r.temperature == 0.3 for r in seen)
    assert all([m.role for m in r.messages].count("system") == 1 and r.messages[0].content == PROMPT for r in seen)


async def test_candidate_sampling_keeps_its_temperatures_and_the_first_candidate_takes_the_models() -> None:
    seen: list[ModelRequest] = []

    def reply(messages, request):
        seen.append(request)
        answer = "17" if request.seed is None else "18"
        return json.dumps({"kind": "evaluate", "expression": "12 + 5", "variable": "x", "point": None, "answer": answer})

    model = FunctionModel(reply, temperature=0.25, system_prompt=PROMPT)
    task = TaskSpec(id="m", kind=TaskKind.MATH, instruction="Evaluate 12 + 5.", samples=3, max_attempts=1)
    result = await MathSpecialist().run(task, {}, AgentContext(roster=Roster.single(model)))
    assert result.status is Status.VERIFIED and result.output.answer == "17"
    by_seed = {r.seed: r.temperature for r in seen}
    assert by_seed == {None: 0.25, 1: schedule(3)[1].temperature, 2: schedule(3)[2].temperature}
    for request in seen:  # the specialist's own system message, with the model's prompt first, once
        systems = [m for m in request.messages if m.role == "system"]
        assert len(systems) == 1 and systems[0].content.startswith(f"{PROMPT}\n\n") and len(systems[0].content) > 40


async def test_a_run_trace_records_the_request_as_the_model_sent_it() -> None:
    model, seen = _recording(temperature=0.6, system_prompt=PROMPT)
    events: list[ev.Event] = []
    observed = ObservedModel(model, role=Role.WRITING, emit=events.append)
    await observed.complete(ModelRequest(messages=[Message.user("2+3?")]))
    (called,) = [e for e in events if isinstance(e, ev.ModelCalled)]
    assert called.temperature == 0.6 == seen[0].temperature
    assert called.messages == seen[0].messages == [Message.system(PROMPT), Message.user("2+3?")]


def test_junto_toml_gives_every_provider_its_settings() -> None:
    config = JuntoConfig.from_toml(
        '[models.http]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\ntemperature = 0.7\nsystem_prompt = "Be brief."\n'
        '[models.pool]\nmodel = "m"\ntemperature = 1.5\ndeployments = [{ base_url = "http://127.0.0.1:9/v1" }]\n'
        '[models.local]\nprovider = "local"\nsystem_prompt = "Think first."\n'
    )
    http, pool, local = (config.build_model(name) for name in ("http", "pool", "local"))
    assert isinstance(http, ChatModel) and (http.temperature, http.system_prompt) == (0.7, "Be brief.")
    assert isinstance(pool, ChatModel) and (pool.temperature, pool.system_prompt) == (1.5, None)
    assert isinstance(local, ChatModel) and (local.temperature, local.system_prompt) == (None, "Think first.")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('model = "m"\ntemperature = 2.5\n', "models.fast.temperature"),
        ('model = "m"\ntemperature = -0.1\n', "models.fast.temperature"),
        ('model = "m"\nsystem_prompt = ""\n', "models.fast.system_prompt"),
        (
            'model = "m"\ndeployments = [{ base_url = "http://a/v1", temperature = 0.5 }]\n',
            "models.fast.deployments.0.temperature",
        ),
        ('model = "m"\nsamples = 0\n', "models.fast.samples"),
        ('model = "m"\nsamples = 33\n', "models.fast.samples"),
        ('provider = "local"\nsamples = 0\n', "models.fast.samples"),
        (
            'model = "m"\nsamples = 2\ndeployments = [{ base_url = "http://a/v1", samples = 4 }]\n',
            "models.fast.deployments.0.samples",
        ),
        ('model = "m"\nsample_temperatures = []\n', "models.fast.sample_temperatures"),
        ('model = "m"\nsample_temperatures = [0.3, 2.5]\n', "models.fast.sample_temperatures.1"),
        ('model = "m"\nsample_temperatures = "hot"\n', "models.fast.sample_temperatures"),
        (
            'model = "m"\ndeployments = [{ base_url = "http://a/v1", sample_temperatures = [0.5] }]\n',
            "models.fast.deployments.0.sample_temperatures",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_key(table: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        JuntoConfig.from_toml(f"[models.fast]\n{table}")
    assert caught.value.key == key


def test_a_model_built_in_python_refuses_a_temperature_out_of_range() -> None:
    with pytest.raises(ConfigError, match="between 0 and 2"):
        FunctionModel(lambda m, r: "x", temperature=3.0)


def test_a_models_samples_reach_every_deployment_and_a_model_built_in_python_refuses_zero() -> None:
    config = JuntoConfig.from_toml(
        '[models.pool]\nmodel = "m"\nsamples = 6\ndeployments = [{ base_url = "http://127.0.0.1:9/v1" }, '
        '{ base_url = "http://127.0.0.1:10/v1" }]\n'
    )
    pool = config.build_model("pool")
    assert isinstance(pool, ChatModel) and pool.samples == 6
    assert config.samples_for(Role.MATH) == 6
    with pytest.raises(ConfigError, match="samples must be between 1 and 32"):
        FunctionModel(lambda m, r: "x", samples=0)


def test_a_models_sample_temperatures_come_from_its_table_else_its_kinds_measurement() -> None:
    from junto.agents._sampling import TEMPERATURES, temperatures_of

    from junto.models._local import SAMPLE_TEMPERATURES

    config = JuntoConfig.from_toml(
        '[models.http]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\nsample_temperatures = [0.4, 0.1]\n'
        '[models.plain]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'
        '[models.local]\nprovider = "local"\n'
        '[models.own]\nprovider = "local"\nmodel_path = "other.gguf"\n'
    )
    http, plain, local, own = (config.build_model(name) for name in ("http", "plain", "local", "own"))
    assert isinstance(http, ChatModel) and http.sample_temperatures == (0.4, 0.1)
    assert temperatures_of(http) == (0.4, 0.1)
    assert temperatures_of(plain) == TEMPERATURES  # not measured: junto's generic schedule
    assert temperatures_of(local) == SAMPLE_TEMPERATURES  # the embedded weights' measured schedule
    assert temperatures_of(own) == TEMPERATURES  # other weights: not what was measured
    with pytest.raises(ConfigError, match="sample_temperatures"):
        FunctionModel(lambda m, r: "x", sample_temperatures=[0.5, 3.0])
    with pytest.raises(ConfigError, match="sample_temperatures"):
        FunctionModel(lambda m, r: "x", sample_temperatures=[])


async def test_a_round_draws_its_later_candidates_at_the_models_own_temperatures_through_a_run_trace() -> None:
    seen: list[ModelRequest] = []

    def reply(messages, request):
        seen.append(request)
        return json.dumps({"kind": "evaluate", "expression": "12 + 5", "variable": "x", "point": None, "answer": "18"})

    model = FunctionModel(reply, sample_temperatures=[0.15, 0.45])
    observed = ObservedModel(model, role=Role.MATH, emit=lambda event: None)
    task = TaskSpec(id="m", kind=TaskKind.MATH, instruction="Evaluate 12 + 5.", samples=4, max_attempts=1)
    # with a budget too, as every run has: the loop then holds the model wrapped twice
    for budget in (None, BudgetTracker(Budget(max_tokens=100_000))):
        seen.clear()
        result = await MathSpecialist().run(task, {}, AgentContext(roster=Roster.single(observed), budget=budget))
        assert result.status is Status.FAILED  # 18 is wrong: every candidate fails, all four are drawn
        assert {r.seed: r.temperature for r in seen} == {None: 0.0, 1: 0.15, 2: 0.45, 3: 0.15}
        assert [a.temperature for a in result.attempts] == [None, 0.15, 0.45, 0.15]


def test_wrappers_show_the_wrapped_models_name_and_sampling_defaults() -> None:
    model = FunctionModel(lambda m, r: "x", name="small", samples=3, sample_temperatures=[0.3])
    tracker = BudgetTracker(Budget(max_tokens=10))
    for wrapped in (ObservedModel(model, role=Role.CODE, emit=lambda event: None), BudgetedModel(model, tracker)):
        twice = BudgetedModel(wrapped, tracker)
        assert (twice.name, twice.samples, twice.sample_temperatures) == ("small", 3, (0.3,))
