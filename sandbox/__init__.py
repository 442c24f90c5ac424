"""Docker sandbox for untrusted code."""

from junto.sandbox._types import ExecResult, Sandbox

__all__ = ["ExecResult", "Sandbox"]
