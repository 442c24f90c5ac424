"""Docker sandbox for untrusted code.

``DockerSandbox`` runs Python in hardened, single-use containers from a warm
pool; ``SandboxLimits`` holds the hardening; ``FakeSandbox`` is the test double
that runs nothing.
"""

from typing import TYPE_CHECKING

from junto._lazy import lazy_exports

if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "BuildReport": "junto.sandbox._image",
        "BuildSource": "junto.sandbox._image",
        "DEFAULT_IMAGE": "junto.sandbox._image",
        "DockerSandbox": "junto.sandbox._docker",
        "ExecResult": "junto.sandbox._types",
        "FakeSandbox": "junto.sandbox._fake",
        "ReapReport": "junto.sandbox._containers",
        "Sandbox": "junto.sandbox._types",
        "SandboxLimits": "junto.sandbox._limits",
        "SandboxSession": "junto.sandbox._docker",
        "build_image": "junto.sandbox._image",
    },
)
