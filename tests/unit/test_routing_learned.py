"""Routing learned from checks: the table from a run store with known outcomes, the start it picks, exploration."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from junto.graphs import TaskGraph

from junto import Junto
from junto._config import JuntoConfig
from junto._constraints import WritingConstraints
from junto._exceptions import ConfigError
from junto._routing import LearnedRouter, RouteKey, RouteTable, learn_table
from junto._runs import RunStatus
from junto.cli import main
from junto.models import FunctionModel
from junto.models._roster import Roster, RouteChoice, RoutePolicy
from junto.models._types import Role

GOOD = "Rayleigh scattering makes the daytime sky look blue."
LEARNED = RoutePolicy(route=RouteChoice.LEARNED, target=0.8, explore=0.0, min_tasks=5)
KEY = RouteKey("writing", "writing", "short")


def _graph() -> TaskGraph:
    graph = TaskGraph(name="sky")
    graph.writing("Explain why the sky is blue in one sentence.", constraints=WritingConstraints(required_terms=["blue"]))
    return graph


def _models() -> tuple[FunctionModel, FunctionModel]:
    small = FunctionModel(lambda messages, request: "The sky is a colour.", name="small")
    big = FunctionModel(lambda messages, request: GOOD, name="big")
    return small, big


def _table(small: tuple[int, int, float], big: tuple[int, int, float]) -> RouteTable:
    table = RouteTable()
    for name, (seen, verified, cost) in {"small": small, "big": big}.items():
        stats = table.stats.setdefault(KEY, {}).setdefault(name, type(table.get(KEY, name))())
        stats.seen, stats.verified, stats.cost_usd = seen, verified, cost * seen
    return table


def test_the_start_is_the_cheapest_tier_that_reaches_the_target() -> None:
    tiers = ["small", "big"]
    assert _table((20, 4, 0.001), (20, 19, 0.01)).start_tier(KEY, tiers, LEARNED) == 1  # small: 20%, big: 95%
    assert _table((20, 17, 0.001), (20, 19, 0.01)).start_tier(KEY, tiers, LEARNED) == 0  # both qualify: small costs less
    assert _table((20, 4, 0.001), (20, 12, 0.01)).start_tier(KEY, tiers, LEARNED) is None  # none: the configured order
    assert _table((3, 3, 0.001), (3, 3, 0.01)).start_tier(KEY, tiers, LEARNED) is None  # too few tasks seen: cold start
    # both qualify, but the small one fails often enough that escalating from it costs more than starting big
    assert _table((20, 16, 0.02), (20, 20, 0.01)).start_tier(KEY, tiers, RoutePolicy(target=0.8, min_tasks=5)) == 1


async def test_exploration_starts_the_configured_share_at_the_cheapest_tier() -> None:
    policy = LEARNED.model_copy(update={"explore": 0.2})
    router = LearnedRouter({Role.WRITING: policy}, table=_table((20, 4, 0.0), (20, 19, 0.0)), rng=random.Random(7))
    starts = [await router.start_tier(Role.WRITING, "writing", "Explain.", ["small", "big"]) for _ in range(2000)]
    explored = starts.count(0) / len(starts)
    assert 0.17 < explored < 0.23 and set(starts) == {0, 1}
    assert router.decisions == {"explored": starts.count(0), "learned": starts.count(1), "ordered": 0}


async def test_a_run_store_with_known_outcomes_routes_the_next_runs(tmp_path: Path) -> None:
    store = tmp_path / "runs.db"
    small, big = _models()
    ordered = Roster({Role.WRITING: [small, big]})
    async with Junto.start(roster=ordered, store=store, checkpoints=False) as junto:
        for _ in range(6):  # the configured order: small fails its checks, big is verified
            assert (await junto.run(_graph())).status is RunStatus.VERIFIED
    table = learn_table(await _records(store))
    assert (table.get(KEY, "small").seen, table.get(KEY, "small").verified) == (6, 0)
    assert (table.get(KEY, "big").seen, table.get(KEY, "big").verified) == (6, 6)

    small_calls = len(small.calls)
    router = LearnedRouter({Role.WRITING: LEARNED}, store=store, rng=random.Random(1))
    learned = Roster({Role.WRITING: [small, big]}, router=router)
    async with Junto.start(roster=learned, store=store, checkpoints=False) as junto:
        result = await junto.run(_graph())
    assert result.status is RunStatus.VERIFIED and len(small.calls) == small_calls  # started at big, small not asked
    assert [a.tier for a in result.results["writing_1"].attempts] == [1]

    exploring = LearnedRouter({Role.WRITING: LEARNED.model_copy(update={"explore": 1.0})}, store=store)
    async with Junto.start(roster=Roster({Role.WRITING: [small, big]}, router=exploring), store=store) as junto:
        result = await junto.run(_graph())
    assert len(small.calls) > small_calls and result.results["writing_1"].attempts[0].tier == 0


async def test_tasks_starting_together_read_the_store_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import junto._export

    reads = []

    async def records(url, *, limit):
        reads.append(url)
        await asyncio.sleep(0.01)
        return []

    monkeypatch.setattr(junto._export, "records_from_store", records)
    router = LearnedRouter({Role.WRITING: LEARNED}, store=tmp_path / "runs.db")
    starts = await asyncio.gather(*(router.start_tier(Role.WRITING, "writing", "x", ["a", "b"]) for _ in range(8)))
    assert starts == [None] * 8 and len(reads) == 1  # an empty store: the configured order, read once


async def _records(store: Path):
    from junto._export import records_from_store

    return await records_from_store(store)


def test_config_and_cli_show_the_learned_table(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "runs.db"
    small, big = _models()

    async def seed() -> None:
        async with Junto.start(roster=Roster({Role.WRITING: [small, big]}), store=store, checkpoints=False) as junto:
            for _ in range(5):
                await junto.run(_graph())

    asyncio.run(seed())
    path = tmp_path / "junto.toml"
    path.write_text(
        '[models.small]\nmodel = "s"\nbase_url = "http://127.0.0.1:9/v1"\n'
        '[models.big]\nmodel = "b"\nbase_url = "http://127.0.0.1:9/v1"\n'
        '[roles]\nwriting = ["small", "big"]\n'
        '[routing.writing]\nroute = "learned"\ntarget = 0.9\nexplore = 0.05\nmin_tasks = 5\n'
        f'[store]\nurl = "{store}"\n'
    )
    config = JuntoConfig.from_toml(path.read_text())
    router = config.build_roster().router
    assert isinstance(router, LearnedRouter) and router.learns(Role.WRITING) and not router.learns(Role.MATH)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["models", "routes", "--config", str(path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "writing" in line]
    big_row = next(line for line in lines if "│ big" in line)
    small_row = next(line for line in lines if "│ small" in line)
    assert "100%" in big_row and "*" in big_row and "│ 5 " in big_row
    assert "0%" in small_row and "*" not in small_row
    with pytest.raises(ConfigError, match="routing.writing.explore"):
        JuntoConfig.from_toml('[routing.writing]\nroute = "learned"\nexplore = 2\n')
