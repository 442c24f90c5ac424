"""``junto sandbox``: the --json contract and exit codes, through the installed command."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]

JUNTO = str(Path(sys.executable).with_name("junto"))


def _junto(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JUNTO, "sandbox", *args], capture_output=True, text=True, timeout=120, env=env)


def test_json_prints_one_object_and_exits_zero_when_the_program_ran(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text("import sys\nprint(sys.stdin.read().strip(), sys.argv[1:])\nopen('o.txt','w').write('hi')\nsys.exit(4)")
    data = tmp_path / "in.txt"
    data.write_text("fed")
    done = _junto("run", str(program), "--json", "--stdin", str(data), "--collect", "o.txt", "--", "a1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["exit_code"] == 4 and result["stdout"] == "fed ['a1']\n" and result["ok"] is False
    assert base64.b64decode(result["files"]["o.txt"]) == b"hi"
    assert set(result) >= {"stderr", "timed_out", "oom_killed", "truncated", "duration_s", "refused_files"}


def test_plain_mode_passes_output_and_exit_codes(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(5)")
    done = _junto("run", str(program))
    assert (done.returncode, done.stdout) == (5, "out\n")
    assert "err" in done.stderr
    sleeper = tmp_path / "s.py"
    sleeper.write_text("import time\ntime.sleep(30)")
    assert _junto("run", str(sleeper), "--timeout", "1").returncode == 124
    hog = tmp_path / "h.py"
    hog.write_text("x = bytearray(300 * 1024 * 1024)")
    assert _junto("run", str(hog), "--memory", "64m").returncode == 137


def test_sandbox_errors_exit_non_zero_even_with_json(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text("print(1)")
    import os

    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    done = _junto("run", str(program), "--json", env=env)
    assert done.returncode != 0 and done.stdout == ""
    assert "make docker" in done.stderr


def test_build_is_quick_when_the_image_exists_and_doctor_reports() -> None:
    done = _junto("build")
    assert done.returncode == 0 and "exists" in done.stdout
    doctor = _junto("doctor")
    assert doctor.returncode == 0 and "present" in doctor.stdout and "read_only_root" in doctor.stdout
    assert _junto("doctor", "--image", "junto-sandbox:nope").returncode == 1
    assert _junto("prune").returncode == 0
