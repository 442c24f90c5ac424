"""Checkers the agents call: math (sympy), code (sandbox), writing (constraints)."""

from junto.tools._writing_spec import WritingConstraints

__all__ = ["WritingConstraints"]
