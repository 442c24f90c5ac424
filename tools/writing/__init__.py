"""Writing checks: measurements confirm a text against the constraints the instruction states.

The specification is the constraints stated in the instruction (word,
sentence and paragraph counts, format, reading grade, language, required and
forbidden terms), read by :func:`extract_constraints` and merged with the user's own
(:func:`merge_constraints`); :func:`check_writing` measures the text against
each one.
"""

from junto.tools.writing._check import check_writing
from junto.tools.writing._extract import extract_constraints, merge_constraints
from junto.tools.writing._measure import detect_language, grade_level

from junto._constraints import WritingConstraints

__all__ = [
    "WritingConstraints",
    "check_writing",
    "detect_language",
    "extract_constraints",
    "grade_level",
    "merge_constraints",
]
