"""Models: one small interface, backends per wire format, and a test double."""

from junto.models._chat import ChatModel, Price, RetryPolicy, parse_structured
from junto.models._function import FunctionBackend, FunctionModel
from junto.models._roster import Roster
from junto.models._types import Backend, Completion, Message, Model, ModelRequest, Role, StreamChunk, Usage

__all__ = [
    "Backend",
    "ChatModel",
    "Completion",
    "FunctionBackend",
    "FunctionModel",
    "Message",
    "Model",
    "ModelRequest",
    "Price",
    "RetryPolicy",
    "Role",
    "Roster",
    "StreamChunk",
    "Usage",
    "parse_structured",
]
