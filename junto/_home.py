"""Where junto keeps its files when not told: ``$JUNTO_HOME``, else the platform's user data directory.

Read only at the edges (the CLI, and ``Junto`` or a router built without a
store): the stores themselves are always given their path.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_store_path", "junto_home"]


def junto_home() -> Path:
    """``$JUNTO_HOME``, else the platform's user data directory for junto."""
    home = os.environ.get("JUNTO_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("junto"))


def default_store_path() -> Path:
    """The run store used when none is named: ``junto.db`` in :func:`junto_home`."""
    return junto_home() / "junto.db"
