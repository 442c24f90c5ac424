"""Hostile programs in the Docker sandbox: each one's safe outcome, asserted.

Every program gets a short wall clock (1-3 s). Network tests aim only at
private or link-local addresses that cannot be reached from a container with
no network: they must fail to connect, and no traffic leaves the machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from junto.sandbox import ExecResult

from junto import SandboxFileError

pytestmark = pytest.mark.docker

SECRET = "junto-adversarial-secret-8c1f"


@dataclass(frozen=True)
class Hostile:
    name: str
    code: str
    safe: Callable[[ExecResult], bool]
    timeout: float = 2.0


def ended(result: ExecResult) -> bool:
    """Stopped, one way or another, without the program reporting success."""
    return result.timed_out or result.oom_killed or result.truncated or result.exit_code != 0


def printed(text: str) -> Callable[[ExecResult], bool]:
    return lambda result: result.exit_code == 0 and text in result.stdout


def refused(*words: str) -> Callable[[ExecResult], bool]:
    """The program caught the refusal itself and printed it."""
    return lambda result: result.exit_code == 0 and "REFUSED" in result.stdout and all(w in result.stdout for w in words)


def _try(statement: str) -> str:
    """A program that runs ``statement`` and prints REFUSED with the error class when it fails."""
    return (
        "try:\n" + "".join(f"    {line}\n" for line in statement.splitlines()) + "    print('ALLOWED')\n"
        "except Exception as error:\n"
        "    print('REFUSED', type(error).__name__, error)\n"
    )


def _connect(family: str, kind: str, address: str, port: int) -> str:
    return _try(
        f"import socket\ns = socket.socket(socket.{family}, socket.{kind})\ns.settimeout(1)\ns.connect(({address!r}, {port}))\ns.send(b'x')"
    )


LIBC = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"

HOSTILE = [
    Hostile("fork_bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass", ended, 2),
    Hostile(
        "thread_bomb",
        "import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()",
        ended,
    ),
    Hostile(
        "memory_bomb_at_once",
        "x = bytearray(2 * 1024 ** 3)\nprint('ALLOCATED')",
        lambda r: "ALLOCATED" not in r.stdout and (r.oom_killed or "MemoryError" in r.stderr),
    ),
    Hostile(
        "memory_bomb_gradual",
        "x = []\nwhile True:\n    x.append(bytearray(8 * 1024 * 1024))",
        lambda r: r.oom_killed or "MemoryError" in r.stderr,
        3,
    ),
    Hostile(
        "dev_shm_fill",
        _try("open('/dev/shm/fill', 'wb').write(b'x' * 200 * 1024 * 1024)"),
        lambda r: "ALLOWED" not in r.stdout and ended(r) or "REFUSED" in r.stdout,
    ),
    Hostile(
        "disk_fill_work_dir",
        _try("f = open('fill', 'wb')\nwhile True:\n    f.write(b'x' * 1024 * 1024)\n    f.flush()"),
        refused(),
        3,
    ),
    Hostile(
        "disk_fill_tmp",
        _try("f = open('/tmp/fill', 'wb')\nwhile True:\n    f.write(b'x' * 1024 * 1024)\n    f.flush()"),
        refused(),
        3,
    ),
    Hostile("many_small_files", "i = 0\nwhile True:\n    open(f'f{i}', 'w').close()\n    i += 1", ended, 2),
    Hostile(
        "sparse_huge_file",
        _try("f = open('sparse', 'wb')\nf.seek(10 ** 12)\nf.write(b'x')\nf.close()"),
        refused("File too large"),
    ),
    Hostile("fd_exhaustion", _try("keep = []\nwhile True:\n    keep.append(open('/dev/null'))"), refused("Too many open files")),
    Hostile("busy_loop", "while True:\n    pass", lambda r: r.timed_out and r.exit_code is None, 1),
    Hostile("long_sleep", "import time\ntime.sleep(3600)", lambda r: r.timed_out, 1),
    Hostile(
        "ignores_sigterm",
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.01)",
        lambda r: r.timed_out,
        1,
    ),
    Hostile(
        "self_sigstop",
        "import os, signal\nprint('stopping', flush=True)\nos.kill(os.getpid(), signal.SIGSTOP)\nprint('resumed')",
        lambda r: r.timed_out and "resumed" not in r.stdout,
        1,
    ),
    Hostile("reads_stdin_without_input", "import sys\ndata = sys.stdin.read()\nprint('EOF', len(data))", printed("EOF 0")),
    Hostile("blocks_on_own_pipe", "import os\nr, w = os.pipe()\nos.read(r, 1)", lambda r: r.timed_out, 1),
    Hostile("endless_lines", "while True:\n    print('spam')", lambda r: r.truncated and not r.timed_out),
    Hostile(
        "endless_no_newline",
        "import sys\nwhile True:\n    sys.stdout.write('x' * 4096)",
        lambda r: r.truncated and "\n" not in r.stdout,
    ),
    Hostile(
        "binary_output",
        "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 16)",
        lambda r: r.exit_code == 0 and "\ufffd" in r.stdout,
    ),
    Hostile(
        "invalid_unicode_stderr",
        "import sys\nsys.stderr.buffer.write(b'bad \\xff\\xfe\\xc3 end')",
        lambda r: r.exit_code == 0 and r.stderr.startswith("bad ") and r.stderr.endswith(" end"),
    ),
    Hostile("tcp_private_address", _connect("AF_INET", "SOCK_STREAM", "10.255.255.1", 80), refused(), 3),
    Hostile("udp_private_address", _connect("AF_INET", "SOCK_DGRAM", "10.255.255.1", 53), refused(), 3),
    Hostile("dns_lookup", _try("import socket\nsocket.getaddrinfo('junto-sandbox-test.invalid', 80)"), refused(), 3),
    Hostile("cloud_metadata", _connect("AF_INET", "SOCK_STREAM", "169.254.169.254", 80), refused(), 3),
    Hostile("docker_bridge", _connect("AF_INET", "SOCK_STREAM", "172.17.0.1", 2375), refused(), 3),
    Hostile(
        "raw_socket",
        _try("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)"),
        refused("PermissionError"),
    ),
    Hostile(
        "only_loopback_interface", "import socket\nprint(sorted(name for _, name in socket.if_nameindex()))", printed("['lo']")
    ),
    Hostile(
        "docker_socket",
        _try("import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/var/run/docker.sock')"),
        refused("FileNotFoundError"),
    ),
    Hostile(
        "environment",
        "import os\nprint(sorted(os.environ))\nprint(os.environ.get('JUNTO_ADV_SECRET', 'no secret'))",
        lambda r: SECRET not in r.stdout and "no secret" in r.stdout,
    ),
    Hostile("etc_shadow", _try("open('/etc/shadow').read()"), refused("PermissionError")),
    Hostile("proc_1_environ", _try("open('/proc/1/environ', 'rb').read()"), refused("PermissionError")),
    Hostile("write_root_fs", _try("open('/usr/lib/pwned', 'w').write('x')"), refused("Read-only file system")),
    Hostile("write_etc", _try("open('/etc/passwd', 'a').write('evil::0:0::/:/bin/sh')"), refused()),
    Hostile("setuid_root", _try("import os\nos.setuid(0)"), refused("PermissionError")),
    Hostile(
        "mount_tmpfs",
        LIBC
        + _try(
            "if libc.mount(b'none', b'/work', b'tmpfs', 0, None) != 0:\n    raise OSError(ctypes.get_errno(), 'mount failed')"
        ),
        refused("mount failed"),
    ),
    Hostile(
        "unshare_then_write_root",
        LIBC + "libc.unshare(0x10000000 | 0x00020000)\n" + _try("open('/etc/pwned', 'w').write('x')"),
        refused(),
    ),
    Hostile(
        "ptrace_init",
        LIBC + _try("if libc.ptrace(16, 1, 0, 0) != 0:\n    raise OSError(ctypes.get_errno(), 'ptrace refused')"),
        refused("ptrace refused"),
    ),
    Hostile(
        "mknod_device",
        _try("import os, stat\nos.mknod('mem', stat.S_IFCHR | 0o666, os.makedev(1, 1))"),
        refused("PermissionError"),
    ),
    Hostile(
        "oom_score_adj_lowered_then_memory_bomb",
        _try("with open('/proc/self/oom_score_adj', 'w') as f:\n    f.write('-1000')")
        + "print('adj', open('/proc/self/oom_score_adj').read().strip(), flush=True)\nx = bytearray(2 * 1024 ** 3)\nprint('ALLOCATED')",
        lambda r: "adj -1000" not in r.stdout and "ALLOCATED" not in r.stdout and (r.oom_killed or "MemoryError" in r.stderr),
        3,
    ),
    Hostile("kill_pid_1", _try("import os, signal\nos.kill(1, signal.SIGKILL)"), refused("PermissionError")),
    Hostile(
        "kill_everyone",
        "import os, signal\nprint('before', flush=True)\nos.kill(-1, signal.SIGKILL)\nprint('after')",
        lambda r: "before" in r.stdout,
    ),
    Hostile(
        "setrlimit_raise", _try("import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (1 << 20, 1 << 20))"), refused()
    ),
    Hostile(
        "zombies",
        "import os\nfor _ in range(30):\n    if os.fork() == 0:\n        os._exit(0)\nprint('made zombies')",
        printed("made zombies"),
    ),
    Hostile("huge_program", "\n".join(f"v{i} = {i}" for i in range(20000)) + "\nprint(v19999)", printed("19999"), 3),
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
async def test_hostile_program_is_contained(docker_sandbox, hostile: Hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNTO_ADV_SECRET", SECRET)
    started = time.monotonic()
    result = await docker_sandbox.run(hostile.code, timeout=hostile.timeout)
    assert hostile.safe(result), f"{hostile.name}: {result!r}"
    assert time.monotonic() - started < hostile.timeout + 15, "the wall clock was not enforced"


async def test_state_does_not_persist_between_runs(docker_sandbox) -> None:
    await docker_sandbox.run("open('/work/left', 'w').write('x')\nopen('/tmp/left', 'w').write('x')", timeout=2)
    result = await docker_sandbox.run("import os\nprint(os.path.exists('/work/left'), os.path.exists('/tmp/left'))", timeout=2)
    assert result.stdout == "False False\n"


async def test_daemons_do_not_outlive_the_run(docker_sandbox) -> None:
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        for fd in range(3):\n"
        "            os.close(fd)\n"
        "        while True:\n"
        "            open('/tmp/daemon-was-here', 'w').write(str(time.time()))\n"
        "            time.sleep(0.05)\n"
        "    os._exit(0)\n"
        "print('spawned')\n"
    )
    first = await docker_sandbox.run(daemon, timeout=2)
    assert "spawned" in first.stdout
    later = await docker_sandbox.run(
        "import os\nprocs = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "print(os.path.exists('/tmp/daemon-was-here'), len(procs))",
        timeout=2,
    )
    seen, count = later.stdout.split()
    assert seen == "False"
    assert int(count) <= 4  # init, the idle sleep, this program (and at most its launcher shell)


async def test_symlink_hardlink_and_fifo_coming_out_are_refused(docker_sandbox) -> None:
    code = (
        "import os\n"
        "os.symlink('/etc/passwd', 'link.txt')\n"
        "os.symlink('/', 'rootdir')\n"
        "open('real.txt', 'w').write('real')\n"
        "os.link('real.txt', 'hard.txt')\n"
        "os.mkfifo('pipe')\n"
    )
    result = await docker_sandbox.run(code, timeout=3, collect=["link.txt", "rootdir", "real.txt", "hard.txt", "pipe"])
    assert result.exit_code == 0, result.stderr
    assert set(result.files) <= {"real.txt", "hard.txt"}
    assert "real.txt" in result.files or "hard.txt" in result.files
    assert {"link.txt", "rootdir", "pipe"} <= set(result.refused_files)
    assert all(content == b"real" for content in result.files.values())


@pytest.mark.parametrize("name", ["../escape.py", "/etc/cron.d/x", "a/../../b", "..", "/"])
async def test_bad_names_going_in_are_refused(docker_sandbox, name: str) -> None:
    with pytest.raises(SandboxFileError):
        await docker_sandbox.run("print(1)", files={name: "x"}, timeout=2)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd"])
async def test_bad_names_coming_out_are_refused(docker_sandbox, name: str) -> None:
    with pytest.raises(SandboxFileError):
        await docker_sandbox.run("print(1)", collect=[name], timeout=2)


async def test_sandbox_still_works_after_the_hostile_suite(docker_sandbox) -> None:
    result = await docker_sandbox.run("print(sum(range(10)))", timeout=5)
    assert result.ok and result.stdout == "45\n"


def _process_count() -> int:
    return sum(1 for entry in os.listdir("/proc") if entry.isdigit())


@pytest.fixture(scope="module", autouse=True)
def host_unchanged(tmp_path_factory: pytest.TempPathFactory):
    """A marker file on the host stays untouched and the host's process count stays sane."""
    marker = tmp_path_factory.mktemp("host") / "marker.txt"
    marker.write_text("untouched")
    before_mtime = marker.stat().st_mtime_ns
    before = _process_count()
    yield
    assert marker.read_text() == "untouched" and marker.stat().st_mtime_ns == before_mtime
    assert _process_count() < before + 100
