"""Type-check junto with mypy, configured in pyproject.toml [tool.mypy].

The source tree maps `junto.agents`, `junto.tools`, `junto.graphs` and `junto.sandbox`
to top-level folders (pyproject.toml [tool.setuptools] package-dir), which the editable
install resolves with an import hook that mypy cannot follow. So this lays out the
package as Python imports it, a tree of symbolic links under build/typecheck/, and
checks `junto` there; mypy reports paths as `junto/graphs/_store.py`.

Usage: python scripts/typecheck.py [extra mypy arguments]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"
# Subpackages of junto that live outside junto/ (keep in step with package-dir).
MAPPED = ("agents", "graphs", "sandbox", "tools")


def _link(link: Path, target: Path) -> None:
    """Point `link` at `target`, atomically, leaving a correct link as it is."""
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    spare = link.with_name(f".{link.name}.{os.getpid()}")
    spare.unlink(missing_ok=True)
    spare.symlink_to(target)
    os.replace(spare, link)


def lay_out() -> Path:
    """Build (or refresh) the link tree and return the folder that holds `junto`."""
    package = TREE / "junto"
    package.mkdir(parents=True, exist_ok=True)
    wanted = {entry.name: entry for entry in (ROOT / "junto").iterdir() if entry.name != "__pycache__"}
    wanted.update({name: ROOT / name for name in MAPPED})
    for name, target in wanted.items():
        _link(package / name, target)
    for stale in package.iterdir():
        if stale.name not in wanted and stale.is_symlink():
            stale.unlink(missing_ok=True)
    return TREE


def main(argv: list[str]) -> int:
    tree = lay_out()
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(tree / ".mypy_cache"),
        "-p",
        "junto",
        *argv,
    ]
    return subprocess.run(command, cwd=tree, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
