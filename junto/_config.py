"""``junto.toml``: which models exist and which roles they serve.

Looked for, in order: an explicit path (``--config``), ``./junto.toml``, then
``junto.toml`` in the user config directory (``platformdirs``). No file at all
is a valid configuration: every role uses the embedded local model. ::

    [models.fast]
    provider = "openai"             # openai | anthropic | local
    base_url = "http://127.0.0.1:11434/v1"
    model = "qwen2.5:7b"
    api_key_env = "OPENAI_API_KEY"  # the variable holding the key, never the key
    price = { input_per_mtok = 0.15, output_per_mtok = 0.6 }
    concurrency = 4
    timeout_s = 60

    [roles]
    planner = ["fast", "strong"]    # escalation tiers, weakest first

Every error is a :class:`~junto.ConfigError` whose ``key`` names the offending
entry (``models.fast.base_url``). API keys are read from the environment when
a model is built, not when the file is loaded.
"""

from __future__ import annotations

import enum
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from junto._exceptions import ConfigError
from junto.models._chat import ChatModel, Price, RetryPolicy
from junto.models._roster import Roster
from junto.models._types import Model, Role

__all__ = ["CONFIG_NAME", "JuntoConfig", "ModelConfig", "ProviderKind", "config_search_path", "load_config"]

CONFIG_NAME = "junto.toml"
LOCAL_MODEL_NAME = "local"


class ProviderKind(str, enum.Enum):
    """How a model is reached."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    LOCAL = "local"


class ModelConfig(BaseModel):
    """One ``[models.NAME]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: ProviderKind = ProviderKind.OPENAI
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    price: Price = Field(default_factory=Price)
    concurrency: int = Field(default=4, ge=1, le=1024)
    timeout_s: float = Field(default=120.0, gt=0)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    structured_repairs: int = Field(default=2, ge=0, le=10)
    model_path: Path | None = None
    """Local models only: a GGUF file other than the embedded one."""

    @model_validator(mode="after")
    def _check_provider_fields(self) -> ModelConfig:
        if self.provider is ProviderKind.LOCAL:
            for field in ("base_url", "api_key_env"):
                if getattr(self, field) is not None:
                    raise _FieldError(field, f"'{field}' does not apply to a local model")
        else:
            if not self.model:
                raise _FieldError("model", f"a {self.provider.value} model needs 'model', the name the server knows it by")
            if self.model_path is not None:
                raise _FieldError("model_path", "'model_path' applies to local models only")
            if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
                raise _FieldError("base_url", f"base_url must start with http:// or https://, got {self.base_url!r}")
        return self

    def key_variable(self) -> str | None:
        """The environment variable holding this model's key, if it needs one."""
        if self.api_key_env:
            return self.api_key_env
        if self.provider is ProviderKind.ANTHROPIC:
            return "ANTHROPIC_API_KEY"
        if self.provider is ProviderKind.OPENAI and self.base_url is None:
            return "OPENAI_API_KEY"
        return None


class _FieldError(ValueError):
    """Raised inside validators to point at one field of the table being validated."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class JuntoConfig(BaseModel):
    """The whole of ``junto.toml``, validated."""

    model_config = ConfigDict(extra="forbid")

    models: dict[str, ModelConfig] = Field(default_factory=dict)
    roles: dict[Role, list[str]] = Field(default_factory=dict)
    sandbox: dict[str, Any] = Field(default_factory=dict)
    store: dict[str, Any] = Field(default_factory=dict)
    server: dict[str, Any] = Field(default_factory=dict)
    budget: dict[str, Any] = Field(default_factory=dict)

    _source: Path | None = PrivateAttr(default=None)
    _built: dict[str, Model] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path | None:
        """The file this configuration was read from (``None``: built-in defaults)."""
        return self._source

    @classmethod
    def from_toml(cls, text: str, *, source: Path | None = None) -> JuntoConfig:
        """Parse and validate TOML text; any problem is a :class:`ConfigError` naming its key."""
        where = str(source) if source else "junto.toml"
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{where} is not valid TOML: {error}", hint="fix the syntax at the line shown") from error
        return cls.from_dict(raw, source=source)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: Path | None = None) -> JuntoConfig:
        where = str(source) if source else "junto.toml"
        try:
            config = cls.model_validate(raw)
        except ValidationError as error:
            raise _config_error(error, where) from None
        config._check_roles(where)
        config._source = source
        return config

    def _check_roles(self, where: str) -> None:
        for role, names in self.roles.items():
            if not names:
                raise ConfigError(f"{where}: roles.{role.value} lists no model", key=f"roles.{role.value}")
            for name in names:
                if name not in self.models and name != LOCAL_MODEL_NAME:
                    known = ", ".join(sorted(self.models)) or "none"
                    raise ConfigError(
                        f"{where}: roles.{role.value} names the model '{name}', which no [models.{name}] table defines",
                        key=f"roles.{role.value}",
                        hint=f"models defined: {known}; '{LOCAL_MODEL_NAME}' is the embedded model",
                    )

    def model_names(self) -> list[str]:
        """Every model name a role may use, the embedded ``local`` included."""
        return [*self.models, *([] if LOCAL_MODEL_NAME in self.models else [LOCAL_MODEL_NAME])]

    def model_settings(self, name: str) -> ModelConfig:
        if name in self.models:
            return self.models[name]
        if name == LOCAL_MODEL_NAME:
            return ModelConfig(provider=ProviderKind.LOCAL, concurrency=4)
        raise ConfigError(f"no model named '{name}' in the configuration", key=f"models.{name}")

    def build_model(self, name: str) -> Model:
        """The model called ``name`` (one instance per name per configuration)."""
        if name not in self._built:
            self._built[name] = _build(name, self.model_settings(name))
        return self._built[name]

    def default_tiers(self) -> list[str]:
        """Models for roles the ``[roles]`` table leaves out.

        ``roles.general`` if given, else the first model defined, else the
        embedded model.
        """
        if Role.GENERAL in self.roles:
            return list(self.roles[Role.GENERAL])
        return [next(iter(self.models), LOCAL_MODEL_NAME)]

    def build_roster(self) -> Roster:
        """Every role's escalation tiers, as built models."""
        roles = {role: [self.build_model(name) for name in names] for role, names in self.roles.items()}
        return Roster(roles, default=[self.build_model(name) for name in self.default_tiers()])


def _build(name: str, settings: ModelConfig) -> Model:
    # Imported here: building a model is the edge where backends are chosen.
    options: dict[str, Any] = {
        "name": name,
        "retry": settings.retry,
        "timeout_s": settings.timeout_s,
        "concurrency": settings.concurrency,
        "price": settings.price,
        "structured_repairs": settings.structured_repairs,
    }
    if settings.provider is ProviderKind.LOCAL:
        from junto.models._local import LocalBackend

        return ChatModel(LocalBackend(model_path=settings.model_path), **options)
    variable = settings.key_variable()
    key = None
    if variable is not None:
        key = os.environ.get(variable)
        if not key:
            raise ConfigError(
                f"model '{name}' needs an API key in the environment variable {variable}, which is not set",
                key=f"models.{name}.api_key_env",
                hint=f"export {variable}=... or point api_key_env at the variable that holds the key",
            )
    if settings.provider is ProviderKind.ANTHROPIC:
        from junto.models._anthropic import DEFAULT_BASE_URL, AnthropicBackend, AnthropicProvider

        provider = AnthropicProvider(settings.base_url or DEFAULT_BASE_URL, api_key=key, api_key_env=variable)
        return ChatModel(AnthropicBackend(provider, model=str(settings.model)), **options)
    from junto.models._openai import DEFAULT_BASE_URL as OPENAI_URL
    from junto.models._openai import OpenAIBackend, OpenAIProvider

    provider = OpenAIProvider(settings.base_url or OPENAI_URL, api_key=key, api_key_env=variable)
    return ChatModel(OpenAIBackend(provider, model=str(settings.model)), **options)


def _config_error(error: ValidationError, where: str) -> ConfigError:
    item = error.errors()[0]
    location = [str(part) for part in item.get("loc", ()) if part != "[key]"]
    cause = (item.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        location.append(cause.field)
        message = str(cause)
    else:
        message = item.get("msg", "invalid value")
        if item.get("type") == "extra_forbidden":
            message = "unknown key"
    key = ".".join(location) or None
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return ConfigError(f"{where}: {key or 'the file'}: {message}{more}", key=key)


def config_search_path(path: Path | None = None) -> list[Path]:
    """The files :func:`load_config` looks at, in order."""
    if path is not None:
        return [Path(path)]
    from platformdirs import user_config_dir

    return [Path.cwd() / CONFIG_NAME, Path(user_config_dir("junto")) / CONFIG_NAME]


def load_config(path: Path | None = None) -> JuntoConfig:
    """Read the first ``junto.toml`` found (see :func:`config_search_path`).

    An explicit ``path`` that does not exist is an error; with no explicit
    path and no file, the defaults apply (every role on the embedded model).
    """
    for candidate in config_search_path(path):
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ConfigError(f"cannot read {candidate}: {error}") from error
            return JuntoConfig.from_toml(text, source=candidate)
    if path is not None:
        raise ConfigError(f"config file {path} does not exist", hint="check the --config path")
    return JuntoConfig()
