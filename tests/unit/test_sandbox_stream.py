"""Output capping and decoding, and the exec socket exchange over a real socket pair."""

from __future__ import annotations

import socket
import struct
import threading
import time

from junto.sandbox import ExecResult, FakeSandbox
from junto.sandbox._stream import Ending, OutputBuffer, exchange


def test_output_is_capped_across_both_streams() -> None:
    buffer = OutputBuffer(cap=10)
    assert buffer.add(1, b"12345")
    assert not buffer.add(2, b"abcdefgh")
    assert buffer.truncated
    assert buffer.text() == ("12345", "abcde")


def test_invalid_utf8_is_replaced_not_raised() -> None:
    buffer = OutputBuffer(cap=100)
    buffer.add(1, b"ok \xff\xfe \xe2\x82")
    stdout, _ = buffer.text()
    assert stdout.startswith("ok ") and "\ufffd" in stdout


def _frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


def test_exchange_sends_input_demuxes_and_sees_exit() -> None:
    host, container = socket.socketpair()
    received = bytearray()

    def program() -> None:
        while chunk := container.recv(65536):
            received.extend(chunk)
        container.sendall(_frame(1, b"out ") + _frame(2, b"err") + _frame(1, b"done"))
        container.close()

    thread = threading.Thread(target=program)
    thread.start()
    result = exchange(host, b"x" * 300_000, deadline=time.monotonic() + 5, cap=1000)
    thread.join()
    assert result.ending is Ending.EXITED
    assert bytes(received) == b"x" * 300_000
    assert result.output.text() == ("out done", "err")


def test_exchange_stops_at_the_deadline_keeping_partial_output() -> None:
    host, container = socket.socketpair()
    container.sendall(_frame(1, b"partial"))
    started = time.monotonic()
    result = exchange(host, b"", deadline=started + 0.3, cap=1000)
    assert result.ending is Ending.TIMED_OUT
    assert 0.25 < time.monotonic() - started < 2
    assert result.output.text()[0] == "partial"
    container.close()


def test_exchange_stops_at_the_cap_on_endless_output() -> None:
    host, container = socket.socketpair()
    stop = threading.Event()

    def flood() -> None:
        try:
            while not stop.is_set():
                container.sendall(_frame(1, b"y" * 4096))
        except OSError:
            pass

    thread = threading.Thread(target=flood)
    thread.start()
    result = exchange(host, b"", deadline=time.monotonic() + 5, cap=10_000)
    stop.set()
    host.close()
    container.close()
    thread.join()
    assert result.ending is Ending.CAPPED
    assert result.output.truncated and len(result.output.stdout) == 10_000


async def test_fake_sandbox_answers_from_its_function_and_records_calls() -> None:
    sandbox = FakeSandbox(lambda run: ExecResult(exit_code=0, stdout=run.stdin.decode().upper()))
    result = await sandbox.run("print(1)", stdin="hello", files={"a": "b"}, argv=["x"], collect=["out"])
    assert result.stdout == "HELLO"
    assert sandbox.runs[0].files == {"a": b"b"} and sandbox.runs[0].argv == ["x"]

    async def later(run):
        return ExecResult(exit_code=None, timed_out=True)

    assert (await FakeSandbox(later).run("x")).timed_out
