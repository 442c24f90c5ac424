"""Docker sandbox for untrusted code.

``DockerSandbox`` runs Python in hardened, single-use containers from a warm
pool; ``SandboxLimits`` holds the hardening; ``FakeSandbox`` is the test double
that runs nothing.
"""

from junto.sandbox._containers import ReapReport
from junto.sandbox._docker import DockerSandbox, SandboxSession
from junto.sandbox._fake import FakeSandbox
from junto.sandbox._image import DEFAULT_IMAGE, BuildReport, BuildSource, build_image
from junto.sandbox._limits import SandboxLimits
from junto.sandbox._types import ExecResult, Sandbox

__all__ = [
    "BuildReport",
    "BuildSource",
    "DEFAULT_IMAGE",
    "DockerSandbox",
    "ExecResult",
    "FakeSandbox",
    "ReapReport",
    "Sandbox",
    "SandboxLimits",
    "SandboxSession",
    "build_image",
]
