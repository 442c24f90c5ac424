"""Talking to one exec over its hijacked socket: send stdin, read output, cap it.

Docker multiplexes a non-tty exec's stdout and stderr into frames (8-byte
header: stream, 0, 0, 0, big-endian size). :func:`exchange` writes the
payload, half-closes so the program sees end of input, and reads frames until
the exec ends, the output cap is reached, or the wall-clock deadline passes:
one thread, one selector, so a program that neither reads its input nor stops
writing cannot deadlock the host.
"""

from __future__ import annotations

import enum
import selectors
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import cast

__all__ = ["Ending", "Exchange", "OutputBuffer", "exchange"]

_HEADER = struct.Struct(">BxxxL")
_CHUNK = 65536


class Ending(str, enum.Enum):
    EXITED = "exited"
    CAPPED = "capped"
    TIMED_OUT = "timed_out"


@dataclass
class OutputBuffer:
    """stdout and stderr kept up to ``cap`` bytes in total; the rest is dropped and noted."""

    cap: int
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    truncated: bool = False

    def add(self, stream: int, data: bytes) -> bool:
        """Keep what fits of ``data``; return False once the cap is reached."""
        room = self.cap - len(self.stdout) - len(self.stderr)
        if len(data) > room:
            data = data[: max(room, 0)]
            self.truncated = True
        (self.stderr if stream == 2 else self.stdout).extend(data)
        return not self.truncated

    def text(self) -> tuple[str, str]:
        return self.stdout.decode("utf-8", errors="replace"), self.stderr.decode("utf-8", errors="replace")


@dataclass
class _Demuxer:
    output: OutputBuffer
    pending: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> bool:
        self.pending.extend(data)
        while len(self.pending) >= _HEADER.size:
            stream, size = _HEADER.unpack_from(self.pending)
            if len(self.pending) < _HEADER.size + size:
                # Keep large frames from waiting whole: pass on what has come.
                if len(self.pending) - _HEADER.size >= _CHUNK:
                    body = bytes(self.pending[_HEADER.size :])
                    del self.pending[_HEADER.size :]
                    self.pending[4:8] = struct.pack(">L", size - len(body))
                    if not self.output.add(stream, body):
                        return False
                return True
            body = bytes(self.pending[_HEADER.size : _HEADER.size + size])
            del self.pending[: _HEADER.size + size]
            if not self.output.add(stream, body):
                return False
        return True


@dataclass
class Exchange:
    ending: Ending
    output: OutputBuffer


def raw_socket(sock: object) -> socket.socket:
    """The OS socket under what ``exec_start(socket=True)`` returned."""
    # docker-py gives a SocketIO wrapping it (unix socket) or the socket itself; its stubs say Any.
    return cast(socket.socket, getattr(sock, "_sock", sock))


def exchange(sock: socket.socket, payload: bytes, *, deadline: float, cap: int) -> Exchange:
    """Send ``payload`` then end of input; collect output until exit, cap or ``deadline`` (monotonic)."""
    output = OutputBuffer(cap=cap)
    demuxer = _Demuxer(output)
    view = memoryview(payload)
    sent = 0
    sock.setblocking(False)
    selector = selectors.DefaultSelector()
    writing = True
    selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)

    def stop_writing() -> None:
        nonlocal writing
        writing = False
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        selector.modify(sock, selectors.EVENT_READ)

    if not payload:
        stop_writing()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Exchange(Ending.TIMED_OUT, output)
            for _, mask in selector.select(remaining):
                if writing and mask & selectors.EVENT_WRITE:
                    try:
                        sent += sock.send(view[sent : sent + _CHUNK])
                    except BlockingIOError:
                        pass
                    except OSError:
                        stop_writing()
                    else:
                        if sent >= len(payload):
                            stop_writing()
                if mask & selectors.EVENT_READ:
                    try:
                        data = sock.recv(_CHUNK)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        return Exchange(Ending.EXITED, output)
                    if not demuxer.feed(data):
                        return Exchange(Ending.CAPPED, output)
    finally:
        selector.close()
