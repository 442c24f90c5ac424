"""The launcher baked into the sandbox image (it runs inside the container).

Usage: ``python3 -I -S /opt/junto/launch.py run TAR_BYTES [ARG ...]``. It
reads exactly ``TAR_BYTES`` bytes of a tar archive from stdin, unpacks it into
the working directory (refusing unsafe members), then replaces itself with
``python3 main.py ARG ...``; the rest of stdin is the program's own stdin.
``launch.py put TAR_BYTES`` only unpacks.
One exec carries the program in and runs it: that is the sandbox's hot path.
"""

import os
import sys


def _read_exactly(count):
    chunks = []
    while count > 0:
        chunk = os.read(0, min(count, 1 << 20))
        if not chunk:
            raise SystemExit("junto launcher: archive cut short")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _unpack(data):
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive.getmembers():
            name = member.name
            if name.startswith("/") or ".." in name.split("/") or not (member.isfile() or member.isdir()):
                raise SystemExit(f"junto launcher: refused archive member {name!r}")
            if member.isdir():
                os.makedirs(name, exist_ok=True)
                continue
            parent = os.path.dirname(name)
            if parent:
                os.makedirs(parent, exist_ok=True)
            source = archive.extractfile(member)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
            fd = os.open(name, flags, 0o644)
            with os.fdopen(fd, "wb") as target:
                target.write(source.read())


def main():
    mode, size = sys.argv[1], int(sys.argv[2])
    if size:
        _unpack(_read_exactly(size))
    if mode == "run":
        os.execvp("python3", ["python3", "main.py", *sys.argv[3:]])


if __name__ == "__main__":
    main()
