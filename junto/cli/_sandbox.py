"""Placeholder: commands are added by the module's owner."""

from junto.cli._app import app  # noqa: F401
