"""The ``junto`` command line.

Each command group lives in its own module and registers itself here. Errors
are one clear line plus the fix; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys

from junto.cli._app import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
