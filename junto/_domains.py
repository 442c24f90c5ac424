"""What a request's wording shows: the domains it asks for, read clause by clause.

A cheap, deterministic reading used wherever junto must know what a request
asks before any model has read it: the planner's shortcut plans a request
from it without a model (:func:`shortcut_kind`), its fallback splits one by
it (:func:`detect_domains` of each of its :func:`sentences`), a model's plan
is held to what the request points at (:func:`hinted_domains`), and a
task's checks count as the user's only when the user's words ask for that
task's kind alone (:mod:`junto._provenance`).

Each domain has *strong* evidence, which alone can route a request, and
*weak* evidence, a word that often belongs to the domain but also to plain
English ("class", "function", "solve", "limit", "write"): weak evidence
never routes; it only stops the shortcut, so an ambiguous request goes to
the planner model.
"""

from __future__ import annotations

import re

from junto._tasks import TaskKind

__all__ = ["detect_domains", "hinted_domains", "sentences", "shortcut_kind"]

# A sentence ends at . ? ! ; (not after "e.g.", "i.e.", "etc.", "vs.") or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.?!;])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)\s+|\n+", re.IGNORECASE)
# A fenced code block: its opening ``` starts a line; it ends at a closing fence or, unclosed, at the end.
_FENCE = re.compile(r"^[ \t]*```[^\n]*\n.*?(?:^[ \t]*```[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)


def sentences(task: str) -> list[str]:
    """The task's sentences; a block of code (fenced or not) stays whole, joined to the sentence that introduces it."""
    sentences: list[str] = []
    position = 0
    for start, end in _code_spans(task):
        sentences += _split(task[position:start])
        code = task[start:end].strip()
        sentences[-1:] = [f"{sentences[-1]}\n{code}" if sentences else code]
        position = end
    return sentences + _split(task[position:])


def _split(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds code: fenced blocks, and runs of unfenced source lines (with the indented lines among them)."""
    spans = [(m.start(), m.end()) for m in _FENCE.finditer(text)]
    loose: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        fenced = any(start <= offset < end for start, end in spans)
        body = line.strip()
        continued = run is not None and (line[:1] in " \t" or body in ("...", "pass"))
        if not fenced and body and (_CODE_LINE.search(line) or continued):
            run = (run[0] if run else offset, offset + len(line.rstrip("\r\n")))
        elif run is not None and (fenced or body):  # a blank line keeps a run open
            loose.append(run)
            run = None
        offset += len(line)
    if run is not None:
        loose.append(run)
    return sorted(spans + loose)


_I = re.IGNORECASE

# Request verbs that open a clause; a clause boundary is drawn before one ("..., then write ...").
_OPENERS = (
    r"write|draft|compose|implement|create|build|make|give|tell|show|explain|describe|summari[sz]e|sum up|compute|"
    r"calculate|solve|find|add|list|name|suggest|recommend|translate|convert|code|generate|evaluate|simplify|prove|"
    r"include|turn|provide|define|factor|integrate|differentiate|expand|work out|rewrite"
)
_ASKS = r"what|who|how|why|when|where|which"  # after "and": "..., and who wrote it?" (after a comma alone: "..., who was ...")
_CLAUSE_BREAK = re.compile(
    rf"\s*[,;]\s*(?:(?:and|then|also|plus)\s+)*(?=(?:please\s+)?(?:{_OPENERS})\b)"  # ", write ...", ", and then tell ..."
    rf"|\s*,?\s+(?:and|then|also|plus)\s+(?:(?:then|also)\s+)*(?=(?:please\s+)?(?:{_OPENERS}|{_ASKS})\b)"  # "... and explain ..."
    r"|\s*,?\s+(?:then|plus|also)\s+(?=(?:a|an|the|some|\d+)\b)",  # "..., then a short paragraph ..." (verb left out)
    _I,
)
_LEAD = re.compile(r"^(?:(?:then|next|finally|also|and|plus|after that|lastly|now|please|just)\b[\s,:]*)+", _I)
_ASKING = re.compile(r"\?\s*$|^(?:tell me|let me know)\b", _I)
_QUESTION = re.compile(
    r"\?\s*$|^(?:what|what's|whats|who|whom|whose|when|where|why|how|which|is|are|was|were|do|does|did|can|could|"
    r"should|would|will|has|have|any)\b",
    _I,
)

# Code. Languages whose names are plain words elsewhere (Go, Rust, Swift, C) count only capitalised, beside a code noun.
_LANG = r"python|javascript|typescript|node\.?js|c\+\+|c#|golang|kotlin|haskell|php|sql|mysql|postgres(?:ql)?|sqlite|bash|powershell|html|css|numpy|pandas|django|jquery|regex"
_LANG_WORD = r"(?-i:Java|Go|Rust|Ruby|Swift|C|Scala|Perl|React|Vue|Lua|Dart|Julia|Elixir|Shell)"
_CODE_NOUN = (
    r"functions?|methods?|class(?:es)?|scripts?|programs?|modules?|snippets?|code|quer(?:y|ies)|regex|regular expressions?|"
    r"decorators?|components?|endpoints?|one-liners?|loops?|list comprehensions?|generators?|iterators?|unit tests?|test suite|"
    r"librar(?:y|ies)|packages?|api|cli|command-line tool|app|interface|struct|enum|lambda|parser|scraper|algorithms?|"
    r"data structure|implementation"
)
_CS_TERM = (
    r"binary search(?: tree)?|linked list|hash ?(?:map|table)|binary tree|trie|breadth-first|depth-first|bfs|dfs|dijkstra|"
    r"quick ?sort|merge ?sort|bubble ?sort|insertion sort|heap ?sort|memoi[sz]ation|dynamic programming|lru cache|fizzbuzz|"
    r"list comprehension|for loop|while loop|stdin|stdout|stderr|unit tests?|regex|regular expression|shell script"
)
_MAKE = (
    r"(?:'d|would) like|write|implement|code(?: up)?|create|build|make|generate|give|show|need|want|fix|debug|refactor|optimi[sz]e|complete|"
    r"finish|rewrite|convert|port|translate|turn|modify|change|update|extend|add|define|design|develop"
)
# A call signature: is_prime(n), roots(a, b, c); not f(x) or sin(x), which are math.
_SIGNATURE = r"\b(?!(?:a?sin|a?cos|a?tan|log|ln|exp|sqrt|[a-z])\()[A-Za-z_]\w*\([\w\s,=*'\"]*\)"
# What makes a code noun a programming one: a language, a call signature, a data type, "returns".
_PROGRAMMING = (
    rf"\b(?:{_LANG})\b|{_LANG_WORD}\b|{_SIGNATURE}"
    r"|\b(?:lists?|arrays?|strings?|integers?|ints?|floats?|booleans?|bools?|dict(?:ionar(?:y|ies))?|tuples?|files?|"
    r"csv|json|xml|arguments?|parameters?|inputs?|return(?:s|ing)?|null|none|exceptions?|recursive(?:ly)?|recursion|"
    r"objects?|vec|hashmap|stdin|stdout)\b"
)
# A line of source code (unfenced), and a span of code quoted inline with backticks.
_CODE_LINE = re.compile(
    r"^\s*(?:def|class)\s+\w+.*:\s*$|^\s*(?:import\s+\w+\s*$|from\s+[\w.]+\s+import\s)|^\s*for\s+.+\s+in\s+.+:\s*$"
    r"|^\s*(?:if|elif|while)\s+.*(?:[=<>]|\bnot\b|\bin\b|\(|\w\.\w).*:\s*$"
    r"|^\s*(?:else|try|finally):\s*$|^\s*except\b.*:\s*$|^\s*return\s+\S.*[()\[\]]|^\s*print\(|^\s*\w+\.\w+\(.*\)\s*$"
    r"|^\s*\w+(?:\[[^\]]+\]|\.\w+)+\s*[-+*/]?=[^=]|^\s*\w+\s*=\s*(?:\[\s*\]|\{\s*\}|\w+\.\w+\()"
    r"|^\s*(?:const|var|function)\s+\w+.*[({=]|^\s*(?:public|private|static)\s|#include\b|\bconsole\.log\(|\bstd::"
)
_INLINE = re.compile(r"`([^`\n]+)`")
_INLINE_CODE = re.compile(r"[()\[\]{}=;<>]")
_CODE_STRONG = re.compile(
    rf"```"
    rf"|\b(?:{_MAKE})\b.*\b(?:{_CODE_NOUN})\b.*(?:{_PROGRAMMING})"  # write a function that returns ...
    rf"|\b(?:{_MAKE})\b.*(?:{_PROGRAMMING}).*\b(?:{_CODE_NOUN})\b"  # write a Python function ...
    rf"|\b(?:{_MAKE})\b.*\b(?:{_CS_TERM})\b"  # implement binary search
    rf"|\b(?:{_MAKE})\s+(?:a\s+)?{_SIGNATURE}"  # write count_vowels(s)
    rf"|\b(?:{_MAKE})\b.*\b(?:in|using)\s+(?:(?:{_LANG})\b|{_LANG_WORD}(?![\w+#]))"  # ... in python, ... in C
    rf"|^(?:a|an|some|the)\s+(?:[\w'-]+\s+){{0,2}}?(?:(?:{_LANG})\b|{_LANG_WORD}\s)\s*(?:{_CODE_NOUN})\b"  # (plus) a Python function
    rf"|\bhow\s+(?:do|can|would|should|could)\s+(?:i|you|we|one)\b.*\b(?:in|with|using)\s+(?:(?:{_LANG})\b|{_LANG_WORD}\b)"
    r"|\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception)\b.*\b(?:fix|rewrite|throws?|raises?|crash\w*|how|why)\b"
    r"|\b(?:fix|rewrite|throws?|raises?|crash\w*|how|why)\b.*\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception)\b",
    _I,
)
_CODE_WEAK = re.compile(
    rf"\b(?:{_LANG}|java|rust|ruby|perl|swift|coding|programming|implement\w*|def|debug\w*|compiler?|syntax|variables?|"
    rf"arrays?|database|software|{_CODE_NOUN}|{_CS_TERM})\b",
    _I,
)

# Math. A symbolic expression is strong on its own; a math word needs numbers (or a named shape, dice, a matrix) beside it.
_NUM = r"\$?\d+(?:[.,]\d+)*"
_MATH_STRONG = re.compile(
    r"\d\s*(?:\*\*|[+*×÷^·])\s*[(\[]?\s*[-−]?\s*\d"  # 17 * 23, 2^10, 3/4 + 1/8
    r"|(?<![\d.,])(?!(?:1\d|20)\d\d\s+[-−–]\s+(?:1\d|20)\d\d\b)\d+\s+[-−/]\s+[(\[]?\d"  # 12 - 5 (spaced: not 2024-05-01, 3-1, 1939 - 1945)
    r"|\b\d*[a-z]\s*(?:\^|\*\*)\s*[(−-]?\s*[\da-z(]|\b[a-ln-z][²³]"  # x^2, e^(2x), x**3, x²
    r"|(?:\b\d+[a-z]\b|\b[xyz]\b)\s*[-−+*/=]\s*[\d(a-z]|[\d)]\s*[-−+*/=]\s*(?:\d+[a-z]\b|[xyz]\b)"  # 4x + 9, 2 = y
    r"|\(\s*-?\d*[a-z]\s*[-−+]\s*\d+\s*\)"  # (a + 4)
    r"|\b[fgh]\s*\(\s*[a-z\d]\s*\)\s*=|\b[fgh]\(\s*-?\d+(?:\.\d+)?\s*\)|\b(?:a?sin|a?cos|a?tan|arc(?:sin|cos|tan)|sinh|cosh|tanh|log|ln|exp|sqrt)\s*\("
    r"|\b(?:sin|cos|tan|ln)\s+[xyzθ]\b|\blog(?:\s*base)?\s*_?\d|[√∫∑∏]|\bd/d[a-z]\b|\\(?:frac|int|sqrt|sum)\b"
    r"|\blim(?:it)?\b.*\bas\s+[a-z]\s+(?:goes|tends|approaches|->|→)"
    rf"|\d\s*%\s*of\s+{_NUM}|\bwhat\s+percent(?:age)?\s+of\s+{_NUM}|\d\s*%.*\$\s*\d|\$\s*\d.*\d\s*%"  # 17% of 2,340
    rf"|{_NUM}\s+(?:to the power of|raised to|squared|cubed|factorial|choose\s+\d)|\b(?:square|cube) of \d"
    rf"|{_NUM}\s+(?:times|plus|minus|multiplied by|divided by)\s+{_NUM}"
    r"|\b(?:square|cube|nth)\s+root\s+of\s+\d|\b(?:gcd|gcf|hcf|lcm|greatest common (?:divisor|factor)|highest common factor|"
    r"(?:least|lowest) common multiple)\b.*\d|\bprime factori[sz]ation\b.*\d|\bis\s+\d+\s+(?:a\s+)?prime\b"
    r"|\b(?:mean|median|mode|average|sum|product|quotient|remainder|standard deviation|variance)\s+of\b.*\d"
    r"|\bprobability\b.*(?:\d|\b(?:dice|die|coins?|cards?|deck|urn|marbles|balls)\b)"
    r"|\bhow\s+many\s+(?:different\s+)?ways\b.*\d|\bsolve\s+for\s+[a-z]\b"
    r"|\b(?:area|perimeter|volume|circumference|hypotenuse|diagonal)\s+(?:of|is)\s+(?:(?:a|an|the)\s+(?:\w+\s+){0,2}"
    r"(?:circle|square|rectangle|triangle|sphere|cube|cylinder|cone|polygon|hexagon|trapezoid|parallelogram|rhombus|box|prism)\b.*)?\d"
    r"|\b(?:eigen\w+|determinant|inverse|transpose|matrix)\b.*\[\s*\[?\s*-?\d",
    _I,
)
_MATH_WORDS = (
    r"solve|derivative|differentiate|integral|integrate|equations?|calculate|compute|simplify|factori[sz]e|factors?|roots?|"
    r"limit|sum(?!\s+up)|product|probability|odds|divided|factorial|squared|cubed|square root|greatest common|least common|"
    r"median|average|mean|percent(?:age)?|perimeter|area|volume|fibonacci|primes?|power|exponent|logarithm|fractions?|"
    r"ratio|math|maths|mathematics|arithmetic|algebra|geometry|calculus|statistics|range|expand|evaluate|how many|how much"
)
_MATH_WORD = re.compile(rf"\b(?:{_MATH_WORDS})\b", _I)
# Numbers that are not operands: a year on its own, and a number in a compound word ("2-bedroom", "52-card").
_YEAR = re.compile(r"(?<![\d.,$])\b(?:1[0-9]|20)\d\d\b(?![.,]?\d)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?![\w-]*-[a-z])", _I)
_QUANTITY = re.compile(r"\bhow\s+(?:much|many|long|far|fast|old|often|big)\b|\bwhat(?:'s|\s+is)\s+\$?\d", _I)
_NUMBER_LIST = re.compile(
    r"\d+(?:\.\d+)?(?:\s*,\s+(?:and\s+)?\d+(?:\.\d+)?){2,}|\d+(?:\.\d+)?(?:,\s+\d+(?:\.\d+)?)+,?\s+and\s+\d"
)
_STATISTIC = re.compile(r"\b(?:mean|median|mode|average|standard deviation|variance|range|sum|total)\b", _I)
_COMPUTE = re.compile(r"^(?:compute|calculate|work out)\b", _I)
# "Summarise this ...: <text>": what follows the colon is material to work on, not more of the task.
_MATERIAL = re.compile(r"^(?P<head>[^:]*\b(?:this|these|that|it|the following|below)\b[^:]*):\s*\S", _I)
# A follow-up question about what was just asked ("how do I fix it?") is not a question of its own.
_BACK_REFERENCE = re.compile(r"\b(?:it|its|this|that|these|those|them|one)\b", _I)

# Writing: a request for a text (a verb and the kind of text), an edit of a given text, or a length in words or lines.
_TEXT = (
    r"essays?|poems?|poetry|haikus?|limericks?|sonnets?|odes?|verses?|rhymes?|stor(?:y|ies)|tales?|fables?|paragraphs?|"
    r"letters?|e-?mails?|blog(?:\s+posts?)?|articles?|speech(?:es)?|toasts?|taglines?|slogans?|captions?|eulog(?:y|ies)|"
    r"obituar(?:y|ies)|lyrics|songs?|jingles?|notes?|messages?|cards?|invitations?|announcements?|newsletters?|posts?|"
    r"tweets?|bios?|summar(?:y|ies)|abstracts?|introductions?|intros?|outlines?|descriptions?|blurbs?|reviews?|reports?|"
    r"memos?|press releases?|dialogues?|monologues?|pitch(?:es)?|proposals?|apolog(?:y|ies)|headlines?|mottos?|riddles?|"
    r"jokes?|greetings?|wishes|repl(?:y|ies)|explanations?"
)
_WRITE = r"(?:'d|would) like|write|draft|compose|pen|create|make|give|need|want|prepare|craft|come up with|turn"
_NUMBER_WORD = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few|a single|single"
_WRITING_STRONG = re.compile(
    rf"\b(?:{_WRITE})\b(?:(?!\b(?:that|which|who|to|returning|returns|taking|takes|given|using|with)\b).)*?\b(?:a|an|the|some|this|my|our|your|me|us|\d+)\s+(?:[\w'-]+,?\s+){{0,3}}?(?:{_TEXT})\b"
    rf"|^(?:a|an|some)\s+(?:[\w'-]+,?\s+){{0,3}}?(?:{_TEXT})\b"  # (then) a short paragraph ... : the verb left out
    rf"|\b(?:{_NUMBER_WORD})[- ](?:words?|sentences?|paragraphs?)\b|\b(?:{_NUMBER_WORD})-(?:lines?|stanzas?|verses?)\b"
    r"|\b(?:summari[sz]e|sum up|paraphrase|proofread|reword|rephrase)\b"
    r"|^(?:explain|describe)\b|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:explain|describe)\b",
    _I,
)
_EDIT = re.compile(r"\b(?:rewrite|edit|polish|shorten)\b", _I)
_ASKED_ABOUT = re.compile(r"(?:did|does|do|who|when|why|where|how)\b", _I)  # "Who edited ...?" asks about an edit
_WRITING_WEAK = re.compile(rf"\b(?:{_TEXT}|explain\w*|describe|write|wrote|written|draft|compose|rewrite|edit|words?)\b", _I)


class _Clause:
    """One clause of a task and what it shows: the domains with strong evidence, and those with weak evidence only."""

    def __init__(self, text: str, *, statistics_data: bool, asking: bool) -> None:
        self.text = text
        self.strong = _strong(text, statistics_data=statistics_data)
        weak = set()
        if _CODE_WEAK.search(text):
            weak.add(TaskKind.CODE)
        numbers = _operands(text)
        if _MATH_WORD.search(text) or len(numbers) > 1 or (numbers and _QUANTITY.search(text)):
            weak.add(TaskKind.MATH)
        if _WRITING_WEAK.search(text):
            weak.add(TaskKind.WRITING)
        # Every domain the clause points at, however weakly: what a model's plan may give it.
        self.hinted = self.strong | weak
        # A clause with strong evidence owns its other words: "a function computing roots" is code.
        self.weak = set() if self.strong else weak
        # A question that nothing points at may be a general question of its own.
        self.asking = asking  # its sentence ends with a question mark
        asks = bool(_ASKING.search(text)) or (asking and bool(_QUESTION.search(text)))
        self.open_question = asks and not weak and not self.strong and not _BACK_REFERENCE.search(text)


def _operands(text: str) -> list[str]:
    """The numbers in ``text`` that may be operands: a lone year is a date, "2-bedroom" a word."""
    numbers = _NUMBER.findall(text)
    if len(numbers) == 1 and _YEAR.search(text):
        return []
    return numbers


def _strong(clause: str, *, statistics_data: bool) -> set[TaskKind]:
    strong = set()
    code = bool(_CODE_STRONG.search(clause))
    if code:
        strong.add(TaskKind.CODE)
    elif _MATH_STRONG.search(clause) or _COMPUTE.search(clause) or (statistics_data and _STATISTIC.search(clause)):
        strong.add(TaskKind.MATH)  # a clause that asks for code owns its math: "a function returning the roots of ..."
    if _WRITING_STRONG.search(clause) or (not code and _EDIT.search(clause) and not _ASKED_ABOUT.match(clause)):
        strong.add(TaskKind.WRITING)
    return strong


def _code_marked(sentence: str) -> str:
    """``sentence`` with its code (fenced, unfenced, inline) replaced by a ``` marker: the code's words are not the task's."""
    for start, end in reversed(_code_spans(sentence)):
        sentence = f"{sentence[:start]} ``` {sentence[end:]}"
    return _INLINE.sub(lambda m: " ``` " if _INLINE_CODE.search(m.group(1)) else m.group(0), sentence)


def _clauses(task: str) -> list[list[_Clause]]:
    """The task's sentences, each split into clauses at a connective that opens a new request.

    Material to work on ("Summarise this: <text>") is not read as part of the task.
    """
    statistics_data = bool(_NUMBER_LIST.search(task))
    read = []
    for sentence in sentences(task):
        text = " ".join(_code_marked(sentence).split())
        material = _MATERIAL.match(text)
        if material and _strong(material["head"], statistics_data=statistics_data):
            text = material["head"]
        parts = [_LEAD.sub("", part).strip() for part in _CLAUSE_BREAK.split(text)]
        asking = text.rstrip().endswith("?")
        read.append([_Clause(part, statistics_data=statistics_data, asking=asking) for part in parts if part])
        if material and text == material["head"]:
            break
    return read


def detect_domains(task: str) -> set[TaskKind]:
    """The domains a task's wording shows strong evidence of (deterministic; empty when none does).

    Clause by clause: a clause that asks for code is a code clause even if it
    mentions math (a function computing roots is code), and so is one that
    carries code, fenced or not (the words inside it are the code's, not the
    task's). Words that also belong to plain English ("class", "function",
    "solve", "limit", "write") are not evidence on their own: see :func:`shortcut_kind`.
    """
    return {kind for clauses in _clauses(task) for clause in clauses for kind in clause.strong}


def hinted_domains(text: str) -> set[TaskKind]:
    """The domains ``text`` points at at all, strongly or weakly ("solve", "function", "words" count)."""
    return {kind for clauses in _clauses(text) for clause in clauses for kind in clause.hinted}


def shortcut_kind(task: str) -> TaskKind | None:
    """The one kind the shortcut gives ``task``, or ``None`` when the evidence is not unambiguous.

    - One domain, when exactly one shows strong evidence, no other shows any
      evidence outside the clauses that carry it, and no clause without
      evidence asks a question (it may be a general question of its own:
      "Who wrote Emma? Then write a Python function ...").
    - ``general``, when nothing points at any domain, not even weakly, and
      every sentence is a question with no number in it but a year: "Why do
      cats purr?".
    - Otherwise ``None``: the model plans.
    """
    read = _clauses(task)
    clauses = [clause for sentence in read for clause in sentence]
    strong = {kind for clause in clauses for kind in clause.strong}
    weak = {kind for clause in clauses for kind in clause.weak}
    open_question = any(clause.open_question for clause in clauses)
    if len(strong) == 1:
        (kind,) = strong
        beside = _weak_beside(read) if kind is TaskKind.CODE else weak
        return kind if beside <= strong and not open_question else None
    if strong or weak:
        return None
    said = sentences(task)
    if all(_QUESTION.search(sentence) for sentence in said) and not _operands(task) and len(said) <= 3:
        return TaskKind.GENERAL
    return None


def _weak_beside(read: list[list[_Clause]]) -> set[TaskKind]:
    """The weak evidence outside a request for code: a sentence after the first that asks for code, of one
    clause (a second clause opens with a request of its own), with no strong evidence and no question mark,
    specifies that code ("Numbers below 2 are not prime.", "For example, average([1, 2]) returns 1.5."), so
    its words are the code's, as the words of a clause that asks for code are.
    """
    weak: set[TaskKind] = set()
    asked = False
    for sentence in read:
        specifies = asked and len(sentence) == 1 and not (sentence[0].strong or sentence[0].asking)
        if not specifies:
            weak |= {weakly for clause in sentence for weakly in clause.weak}
        asked = asked or any(TaskKind.CODE in clause.strong for clause in sentence)
    return weak
