"""What the planner's support rule does to plans the model already made, on committed routing runs.

    .venv/bin/python benchmarks/route_support.py [--out benchmarks/results/route_support.txt]

The rule (``agents/_planner.py``, step 5, "Support"): a model plan's math,
code or writing task that nothing in the request points at, not even weakly,
becomes ``general``. It is deterministic given the request and the plan's
kinds, so it can be applied to the plans recorded in a routing run's
``outcomes.jsonl`` exactly as the planner would apply it, without asking the
model again. Each run named below was made before the rule existed; for
each, the report counts the plans that were right before and after, the right
ones it makes wrong, and the wrong ones it makes right. Plans from the
shortcut and fallback plans are not the model's and do not change.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _common import ROOT, report_header, write_report

from junto._domains import hinted_domains
from junto.evals._suites import load_suite

# (suite, the run's folder, what the run is): runs made before the rule existed.
RUNS = [
    ("route-heldout-4", "route-heldout-4", "held out: written before the rule, its items not read while writing it"),
    ("route-heldout-4", "route-heldout-4/before-tidy", "the same, planned before ids were named apart and made well formed"),
    ("route-heldout-3", "route-heldout-3", "seen: the rule came from this run's wrong plans"),
]
ROUTERS = ("planner-model", "junto")


def with_rule(kinds: list[str], hinted: set[str]) -> set[str]:
    """A plan's kind set once each specialist kind the request does not point at is made general."""
    return {kind if kind in hinted or kind == "general" else "general" for kind in kinds}


def measure(suite: str, folder: Path) -> list[str]:
    prompts = {item.id: item.prompt for item in load_suite(suite)}
    lines = []
    for router in ROUTERS:
        items = right_before = right_after = fixed = broken = 0
        for line in (folder / "outcomes.jsonl").read_text().splitlines():
            outcome = json.loads(line)
            if outcome["router"] != router:
                continue
            items += 1
            right_before += outcome["correct"]
            if outcome["how"] != "model":
                right_after += outcome["correct"]
                continue
            hinted = {kind.value for kind in hinted_domains(prompts[outcome["item_id"]])}
            right = with_rule(outcome["kinds"], hinted) == set(outcome["expected"])
            right_after += right
            fixed += right and not outcome["correct"]
            broken += outcome["correct"] and not right
        lines.append(
            f"  {router:14s} right {right_before:3d}/{items} ({right_before / items:.1%}) -> {right_after:3d}/{items} "
            f"({right_after / items:.1%}); wrong plans made right {fixed}, right plans made wrong {broken}"
        )
    return lines


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "route_support.txt")
    args = parser.parse_args(argv)
    lines = [*report_header(__file__, argv), ""]
    for suite, folder, what in RUNS:
        lines += [f"{suite} ({what}; benchmarks/results/eval/{folder}/):"]
        lines += measure(suite, ROOT / "benchmarks" / "results" / "eval" / folder)
        lines.append("")
    report = "\n".join(lines)
    write_report(report, args.out)
    return report


if __name__ == "__main__":
    print(main())
