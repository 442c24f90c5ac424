"""Models: one small interface, backends per wire format, and a test double."""

from typing import TYPE_CHECKING

from junto._lazy import lazy_exports

if TYPE_CHECKING:
    from junto.models._anthropic import AnthropicBackend, AnthropicProvider
    from junto.models._balance import (
        BalanceStrategy,
        FunctionStrategy,
        HealthPolicy,
        LatencyAware,
        LeastBusy,
        Replica,
        ReplicaState,
        Strategy,
        Weighted,
    )
    from junto.models._chat import ChatModel, Price, RetryPolicy, parse_structured
    from junto.models._deployments import ModelDeployments, RosterDeployments
    from junto.models._fallback import FallbackModel
    from junto.models._function import FunctionBackend, FunctionModel
    from junto.models._http import HttpProvider
    from junto.models._llama_server import LlamaServerBackend, find_llama_server
    from junto.models._local import LocalBackend, gguf_path
    from junto.models._openai import OpenAIBackend, OpenAIProvider
    from junto.models._replicas import ReplicaBackend, ReplicaStatus
    from junto.models._roster import Roster, RouteChoice, RoutePolicy, TierRouter
    from junto.models._types import (
        Backend,
        Completion,
        Credentialed,
        Message,
        Model,
        ModelRequest,
        Probe,
        Role,
        SampleDefault,
        StreamChunk,
        Usage,
    )

__all__ = [
    "AnthropicBackend",
    "AnthropicProvider",
    "Backend",
    "BalanceStrategy",
    "ChatModel",
    "Completion",
    "Credentialed",
    "FallbackModel",
    "FunctionBackend",
    "FunctionModel",
    "FunctionStrategy",
    "HealthPolicy",
    "HttpProvider",
    "LatencyAware",
    "LeastBusy",
    "LlamaServerBackend",
    "LocalBackend",
    "Message",
    "Model",
    "ModelDeployments",
    "ModelRequest",
    "OpenAIBackend",
    "OpenAIProvider",
    "Price",
    "Probe",
    "Replica",
    "ReplicaBackend",
    "ReplicaState",
    "ReplicaStatus",
    "RetryPolicy",
    "Role",
    "Roster",
    "RosterDeployments",
    "RouteChoice",
    "RoutePolicy",
    "SampleDefault",
    "Strategy",
    "StreamChunk",
    "TierRouter",
    "Usage",
    "Weighted",
    "find_llama_server",
    "gguf_path",
    "parse_structured",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "AnthropicBackend": "junto.models._anthropic",
        "AnthropicProvider": "junto.models._anthropic",
        "Backend": "junto.models._types",
        "BalanceStrategy": "junto.models._balance",
        "ChatModel": "junto.models._chat",
        "Completion": "junto.models._types",
        "Credentialed": "junto.models._types",
        "FallbackModel": "junto.models._fallback",
        "FunctionBackend": "junto.models._function",
        "FunctionModel": "junto.models._function",
        "FunctionStrategy": "junto.models._balance",
        "HealthPolicy": "junto.models._balance",
        "HttpProvider": "junto.models._http",
        "LatencyAware": "junto.models._balance",
        "LeastBusy": "junto.models._balance",
        "LlamaServerBackend": "junto.models._llama_server",
        "LocalBackend": "junto.models._local",
        "Message": "junto.models._types",
        "Model": "junto.models._types",
        "ModelDeployments": "junto.models._deployments",
        "ModelRequest": "junto.models._types",
        "OpenAIBackend": "junto.models._openai",
        "OpenAIProvider": "junto.models._openai",
        "Price": "junto.models._chat",
        "Probe": "junto.models._types",
        "Replica": "junto.models._balance",
        "ReplicaBackend": "junto.models._replicas",
        "ReplicaState": "junto.models._balance",
        "ReplicaStatus": "junto.models._replicas",
        "RetryPolicy": "junto.models._chat",
        "Role": "junto.models._types",
        "Roster": "junto.models._roster",
        "RosterDeployments": "junto.models._deployments",
        "RouteChoice": "junto.models._roster",
        "RoutePolicy": "junto.models._roster",
        "SampleDefault": "junto.models._types",
        "Strategy": "junto.models._balance",
        "StreamChunk": "junto.models._types",
        "TierRouter": "junto.models._roster",
        "Usage": "junto.models._types",
        "Weighted": "junto.models._balance",
        "find_llama_server": "junto.models._llama_server",
        "gguf_path": "junto.models._local",
        "parse_structured": "junto.models._chat",
    },
)
