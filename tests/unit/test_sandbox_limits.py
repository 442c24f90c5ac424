"""SandboxLimits: hardened defaults, explicit weakening, invalid values refused, one set of docker kwargs."""

from __future__ import annotations

import pytest
from junto.sandbox import SandboxLimits
from pydantic import ValidationError

from junto import SandboxLimitsError


def test_defaults_are_hardened() -> None:
    kwargs = SandboxLimits().create_kwargs()
    assert kwargs["network_mode"] == "none" and kwargs["network_disabled"] is True
    assert kwargs["read_only"] is True
    assert kwargs["cap_drop"] == ["ALL"]
    assert kwargs["security_opt"] == ["no-new-privileges"]
    assert kwargs["privileged"] is False
    assert kwargs["user"] == "65533:65533"  # the idle init; programs run as 65534 via the exec
    assert kwargs["init"] is True and kwargs["ipc_mode"] == "private"
    assert kwargs["memswap_limit"] == kwargs["mem_limit"] == 256 * 1024 * 1024
    assert kwargs["pids_limit"] == 64
    assert kwargs["nano_cpus"] == 1_000_000_000
    assert {u["Name"] for u in kwargs["ulimits"]} == {"fsize", "nofile"}
    assert set(kwargs["tmpfs"]) == {"/work", "/tmp"}
    assert "size=" in kwargs["tmpfs"]["/work"] and "nosuid" in kwargs["tmpfs"]["/work"]


def test_no_host_mounts_socket_or_host_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNTO_TEST_SECRET", "hunter2")
    kwargs = SandboxLimits(network=True, memory="1g").create_kwargs()
    assert "volumes" not in kwargs and "mounts" not in kwargs and "devices" not in kwargs
    assert "docker.sock" not in repr(kwargs)
    assert "hunter2" not in repr(kwargs)
    assert set(kwargs["environment"]) == {"PATH", "HOME", "LANG", "PYTHONDONTWRITEBYTECODE"}


def test_weakening_is_explicit() -> None:
    limits = SandboxLimits(network=True, memory="512m", cpus=2, pids=128)
    kwargs = limits.create_kwargs()
    assert kwargs["network_mode"] == "bridge" and kwargs["network_disabled"] is False
    assert kwargs["mem_limit"] == kwargs["memswap_limit"] == 512 * 1024 * 1024
    assert kwargs["nano_cpus"] == 2_000_000_000


@pytest.mark.parametrize(
    "values",
    [
        {"memory": "1m"},
        {"memory": "lots"},
        {"memory": True},
        {"cpus": 0},
        {"pids": 1},
        {"open_files": 1},
        {"user": "root"},
        {"user": "0:0"},
        {"user": "65533"},
        {"work_dir": "relative"},
        {"work_dir": "/work/../etc"},
        {"output_bytes": 10},
        {"unknown_option": 1},
    ],
)
def test_invalid_values_raise_sandbox_limits_error(values: dict[str, object]) -> None:
    with pytest.raises(SandboxLimitsError) as caught:
        SandboxLimits(**values)
    assert next(iter(values)) in caught.value.message


def test_split_kwargs_partitions_host_config() -> None:
    container, host = SandboxLimits().split_kwargs()
    assert set(container) == {"user", "working_dir", "environment", "network_disabled"}
    assert "mem_limit" in host and "cap_drop" in host and not set(container) & set(host)


def test_limits_are_frozen() -> None:
    limits = SandboxLimits()
    with pytest.raises(ValidationError):
        limits.network = True  # type: ignore[misc]
    assert limits.network is False
