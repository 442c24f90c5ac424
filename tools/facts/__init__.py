"""Claims about verified values: a text is checked against the values upstream tasks verified.

The specification is the upstream verified values (a math result, a code
block that passed its tests), never the text being checked:
:func:`check_facts` confirms that a written piece states each verified value
it depends on, and :func:`check_consistency` that the aggregator's answer
quotes numbers and code that match the verified task outputs.
"""

from junto.tools.facts._check import check_facts
from junto.tools.facts._consistency import check_consistency

__all__ = ["check_consistency", "check_facts"]
