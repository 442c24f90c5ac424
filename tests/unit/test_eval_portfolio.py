"""Portfolio evaluation: stats per domain and model, and the recommended [roles] from them."""

from __future__ import annotations

import tomllib

from junto._config import JuntoConfig
from junto.evals import parse_items
from junto.evals._portfolio import domain_of, recommend_roles, roles_toml, summarize_portfolio
from junto.evals._runner import Outcome
from junto.models._types import Role

ITEMS = parse_items(
    [
        '{"id": "m1", "prompt": "2+3?", "parts": [{"type": "math", "expected": "5"}]}',
        '{"id": "m2", "prompt": "2*3?", "parts": [{"type": "math", "expected": "6"}]}',
        '{"id": "w1", "prompt": "Say hi.", "parts": [{"type": "text", "constraints": {"max_words": 3}}]}',
        '{"id": "c1", "prompt": "Both.", "parts": [{"type": "math", "expected": "1"}, '
        '{"type": "text", "constraints": {"max_words": 3}}]}',
    ]
)


def _outcome(item: str, model: str, correct: bool, cost: float, *, verified: bool | None = None) -> Outcome:
    return Outcome(
        item_id=item,
        system=model,
        category="x",
        correct=correct,
        cost_usd=cost,
        verified=correct if verified is None else verified,
    )


def test_domains_follow_the_parts() -> None:
    assert [domain_of(item) for item in ITEMS] == ["math", "math", "writing", "composite"]


def test_the_cheapest_order_that_reaches_the_target_is_recommended() -> None:
    outcomes = [
        # math: cheap is right half the time, mid never better than cheap, big always
        _outcome("m1", "cheap", True, 0.001),
        _outcome("m2", "cheap", False, 0.001),
        _outcome("m1", "mid", True, 0.01),
        _outcome("m2", "mid", False, 0.01),
        _outcome("m1", "big", True, 0.1),
        _outcome("m2", "big", True, 0.1, verified=False),
        # writing: cheap already reaches the target
        _outcome("w1", "cheap", True, 0.001),
        _outcome("w1", "mid", True, 0.01),
        _outcome("w1", "big", True, 0.1),
        _outcome("c1", "big", True, 0.1),
    ]
    stats = summarize_portfolio(outcomes, ITEMS, ["cheap", "mid", "big"])
    big_math = next(s for s in stats if s.domain == "math" and s.model == "big")
    assert (big_math.items, big_math.accuracy, big_math.verified_rate) == (2, 1.0, 0.5)
    choices = {c.role: c for c in recommend_roles(stats, target=0.8)}
    assert choices[Role.MATH].tiers == ["cheap", "big"] and choices[Role.MATH].reached  # mid dropped: dearer, no better
    assert choices[Role.WRITING].tiers == ["cheap"]
    assert Role.CODE not in choices  # no code items, no advice
    strict = {c.role: c for c in recommend_roles(stats, target=1.0)}
    assert strict[Role.MATH].tiers == ["cheap", "big"] and strict[Role.WRITING].tiers == ["cheap"]
    assert not {c.role: c for c in recommend_roles(stats[:2], target=1.0)}[Role.MATH].reached  # cheap and mid only
    section = roles_toml(recommend_roles(stats, target=0.8), target=0.8, command="junto eval s --models cheap,mid,big")
    assert tomllib.loads(section) == {"roles": {"math": ["cheap", "big"], "writing": ["cheap"]}}
    models = "".join(f'[models.{m}]\nmodel = "{m}"\nbase_url = "http://127.0.0.1:9/v1"\n' for m in ("cheap", "mid", "big"))
    assert JuntoConfig.from_toml(models + section).roles[Role.MATH] == ["cheap", "big"]  # pastes into junto.toml as is
