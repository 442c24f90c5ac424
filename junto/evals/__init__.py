"""`junto eval`: does the ensemble beat a single model? Measured by checks, never by opinion."""

from junto.evals._items import CodePart, EvalItem, MathPart, TextPart, load_jsonl, parse_items
from junto.evals._report import HONESTY, SystemSummary, honesty_table, markdown_table, run_command, summarize, write_plots, write_summary
from junto.evals._runner import Answer, BaselineSystem, EnsembleSystem, Outcome, System, load_outcomes, rescore, run_suite
from junto.evals._scoring import PartScore, extract_code_blocks, extract_final_answer, score_answer
from junto.evals._suites import BUILTIN_SUITES, load_humaneval_items, load_suite

__all__ = [
    "Answer",
    "BUILTIN_SUITES",
    "BaselineSystem",
    "CodePart",
    "EnsembleSystem",
    "EvalItem",
    "HONESTY",
    "MathPart",
    "Outcome",
    "PartScore",
    "System",
    "SystemSummary",
    "TextPart",
    "extract_code_blocks",
    "extract_final_answer",
    "honesty_table",
    "load_humaneval_items",
    "load_jsonl",
    "load_outcomes",
    "load_suite",
    "markdown_table",
    "parse_items",
    "rescore",
    "run_command",
    "run_suite",
    "score_answer",
    "summarize",
    "write_plots",
    "write_summary",
]
