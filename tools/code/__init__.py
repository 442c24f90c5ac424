"""Code checks: real execution in the sandbox confirms code against tests it did not write.

The specification is the user's tests and the examples stated in the
instruction (:func:`extract_examples`, :func:`examples_as_tests`), run with
:func:`run_code_tests` in a hardened sandbox. The model's own tests only count
when guards show they prove something (:func:`trivial_tests`,
:func:`tests_that_prove_nothing`, :func:`stub_implementations`).
"""

from junto.tools.code._check import CodeVerification, check_code
from junto.tools.code._examples import examples_as_tests, extract_examples
from junto.tools.code._guard import stub_implementations, tests_that_prove_nothing, trivial_tests
from junto.tools.code._tests import CodeCheckReport, TestOrigin, TestOutcome, TestSource, run_code_tests

__all__ = [
    "CodeCheckReport",
    "CodeVerification",
    "TestOrigin",
    "TestOutcome",
    "TestSource",
    "check_code",
    "examples_as_tests",
    "extract_examples",
    "run_code_tests",
    "stub_implementations",
    "tests_that_prove_nothing",
    "trivial_tests",
]
