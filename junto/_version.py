"""The version of junto, in a module of its own so any part can read it without importing the package's exports."""

__version__ = "0.1.0"
