"""Models: one small interface, backends per wire format, and a test double."""

from junto.models._anthropic import AnthropicBackend, AnthropicProvider
from junto.models._chat import ChatModel, Price, RetryPolicy, parse_structured
from junto.models._fallback import FallbackModel
from junto.models._function import FunctionBackend, FunctionModel
from junto.models._http import HttpProvider
from junto.models._local import LocalBackend, gguf_path
from junto.models._openai import OpenAIBackend, OpenAIProvider
from junto.models._roster import Roster
from junto.models._types import Backend, Completion, Message, Model, ModelRequest, Probe, Role, StreamChunk, Usage

__all__ = [
    "AnthropicBackend",
    "AnthropicProvider",
    "Backend",
    "ChatModel",
    "Completion",
    "FallbackModel",
    "FunctionBackend",
    "FunctionModel",
    "HttpProvider",
    "LocalBackend",
    "Message",
    "Model",
    "ModelRequest",
    "OpenAIBackend",
    "OpenAIProvider",
    "Price",
    "Probe",
    "RetryPolicy",
    "Role",
    "Roster",
    "StreamChunk",
    "Usage",
    "gguf_path",
    "parse_structured",
]
