"""Answer-equivalence checking: junto's checker against HF's math-verify, on labelled pairs, in one run.

    .venv/bin/python benchmarks/math_equivalence.py [--table tests/data/math_pairs_heldout.jsonl ...] [--out FILE]

Each line of a table is ``{"a": ..., "b": ..., "equivalent": true|false, "category": ...}``,
labelled by mathematics. ``a`` plays the answer and ``b`` the expected answer.

- junto: ``compare_answers(a, b)`` with the 5 s limit of ``junto check math``;
  ``equivalent`` is true, false or None (undecided).
- math-verify: ``verify(parse(b), parse(a))`` (gold first, as its README says),
  each answer wrapped in ``$...$`` since its LaTeX extraction reads only math
  environments; when that extracts nothing the bare text is tried (its plain
  expression extraction). A side that still parses to nothing is undecided;
  otherwise ``verify`` answers true or false.

For each system: decided share, agreement with the label where decided, and
false equivalents (said equivalent, labelled not) — the one error that must
not happen. Per category and in total, then every pair a system got wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from _common import ROOT, report_header, write_report

DEFAULT_TABLE = ROOT / "tests" / "data" / "math_pairs_heldout.jsonl"


@dataclass
class Tally:
    pairs: int = 0
    decided: int = 0
    agree: int = 0
    false_equivalent: int = 0
    wrong: list[tuple[dict, bool | None, str]] = field(default_factory=list)
    undecided: list[tuple[dict, str]] = field(default_factory=list)

    def add(self, row: dict, verdict: bool | None, note: str) -> None:
        self.pairs += 1
        if verdict is None:
            self.undecided.append((row, note))
            return
        self.decided += 1
        if verdict is row["equivalent"]:
            self.agree += 1
            return
        if verdict is True:
            self.false_equivalent += 1
        self.wrong.append((row, verdict, note))

    def cells(self) -> str:
        decided = f"{self.decided / self.pairs:6.1%}" if self.pairs else "     -"
        agreement = f"{self.agree / self.decided:6.1%}" if self.decided else "     -"
        return f"{decided} {agreement} {self.false_equivalent:4d}"


def load(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not isinstance(row.get("equivalent"), bool):
                    raise SystemExit(f"{path}:{number}: 'equivalent' must be true or false")
                rows.append(row)
    return rows


def junto_checker() -> Callable[[str, str], tuple[bool | None, str]]:
    from junto.tools import compare_answers

    def check(a: str, b: str) -> tuple[bool | None, str]:
        verdict = compare_answers(a, b, timeout_s=5.0)
        return verdict.equivalent, f"{verdict.method}: {verdict.detail}"[:160]

    return check


def math_verify_checker() -> Callable[[str, str], tuple[bool | None, str]] | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None

    def read(text: str) -> list:
        try:
            found = parse(f"${text}$")
            return found if found else parse(text)
        except Exception:  # math-verify's own failures are its undecided
            return []

    def check(a: str, b: str) -> tuple[bool | None, str]:
        gold, answer = read(b), read(a)
        if not gold or not answer:
            return None, "nothing extracted from " + ("both" if not gold and not answer else ("b" if not gold else "a"))
        try:
            same = verify(gold, answer)
        except Exception as error:
            return None, f"verify failed: {type(error).__name__}"
        return bool(same), f"parsed {gold[0]!s:.60} vs {answer[0]!s:.60}"

    return check


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, action="append", help="a JSONL table of labelled pairs (repeatable)")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    tables = args.table or [DEFAULT_TABLE]
    rows = load(tables)

    systems: dict[str, Callable[[str, str], tuple[bool | None, str]]] = {"junto": junto_checker()}
    verify_checker = math_verify_checker()
    if verify_checker is not None:
        systems["math-verify"] = verify_checker

    totals = {name: Tally() for name in systems}
    by_category: dict[str, dict[str, Tally]] = {}
    seconds = dict.fromkeys(systems, 0.0)
    for row in rows:
        for name, check in systems.items():
            started = time.perf_counter()
            verdict, note = check(row["a"], row["b"])
            seconds[name] += time.perf_counter() - started
            totals[name].add(row, verdict, note)
            by_category.setdefault(row["category"], {n: Tally() for n in systems})[name].add(row, verdict, note)

    versions = []
    for package in ("sympy", "math-verify", "latex2sympy2_extended"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    labels = sum(r["equivalent"] for r in rows)
    lines = [
        *report_header(__file__, versions=f"; {', '.join(versions)}"),
        f"table: {', '.join(str(t.resolve().relative_to(ROOT)) if t.resolve().is_relative_to(ROOT) else str(t) for t in tables)}: "
        f"{len(rows)} pairs, {labels} equivalent and {len(rows) - labels} not",
        "decided: share of pairs given true/false; agreement: share of decided pairs matching the label; "
        "false eq: said equivalent, labelled not",
        "",
    ]
    names = list(systems)
    header = f"{'category':<12} {'pairs':>5}  " + "  ".join(f"{n + ': decided  agree false eq':<32}" for n in names)
    lines.append(header)
    for category in sorted(by_category):
        tallies = by_category[category]
        count = tallies[names[0]].pairs
        lines.append(
            f"{category:<12} {count:5d}  " + "  ".join(f"{'':<{len(n) + 2}}{tallies[n].cells():<{30 - len(n)}}" for n in names)
        )
    lines.append(
        f"{'all':<12} {len(rows):5d}  " + "  ".join(f"{'':<{len(n) + 2}}{totals[n].cells():<{30 - len(n)}}" for n in names)
    )
    lines.append("")
    for name in names:
        tally = totals[name]
        lines.append(
            f"{name}: decided {tally.decided}/{tally.pairs} ({tally.decided / tally.pairs:.1%}), "
            f"agreement {tally.agree}/{tally.decided} ({(tally.agree / tally.decided) if tally.decided else 0:.1%}), "
            f"false equivalents {tally.false_equivalent}; right {tally.agree}/{tally.pairs} ({tally.agree / tally.pairs:.1%}), "
            f"wrong {tally.decided - tally.agree}; {seconds[name]:.1f} s"
        )
    for name in names:
        lines.append("")
        lines.append(f"{name}: pairs decided against the label ({len(totals[name].wrong)})")
        for row, verdict, note in totals[name].wrong:
            kind = "FALSE EQUIVALENT" if verdict else "false non-equivalent"
            lines.append(f"  [{row['category']}] {row['a']!r} vs {row['b']!r}: {kind} ({note})")
        if totals[name].undecided:
            lines.append(f"{name}: pairs left undecided ({len(totals[name].undecided)})")
            for row, note in totals[name].undecided:
                lines.append(
                    f"  [{row['category']}] {row['a']!r} vs {row['b']!r} (labelled {str(row['equivalent']).lower()}): {note}"
                )
    if "math-verify" not in systems:
        lines.append("")
        lines.append("math-verify is not installed: pip install 'junto[eval]'")
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
