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
    temperature = 0.2               # when a request sets none (sampled candidates keep theirs)
    system_prompt = "Be concise."   # first in every request's system message
    samples = 4                     # candidates per round of a role starting on this model, unless [samples] says
    sample_temperatures = [0.3, 0.6] # the temperatures of a round's candidates after the first, in turn

    [roles]
    planner = ["fast", "strong"]    # escalation tiers, weakest first

    [samples]                       # candidates per round, by role; default: the first tier's `samples`, else 1
    code = 8

    [budget]                        # every run's limits; a run's own budget and CLI flags override them
    tokens = 200000
    usd = 0.50
    wall_s = 600
    sandbox_s = 120

    [sandbox]                       # every sandbox container: the fields of SandboxLimits
    memory = "512m"
    cpus = 2

    [server]                        # `junto serve`; its flags override these
    host = "127.0.0.1"
    port = 8000
    max_concurrent_runs = 4
    max_body_bytes = 1000000
    keep_runs = 200

    [store]
    url = "postgresql://..."        # default: $JUNTO_HOME/junto.db

    [routing.code]                  # where a role's tasks start; default: the [roles] order
    route = "learned"               # from the run store: the cheapest tier verifying >= target
    target = 0.8
    explore = 0.1                   # share of tasks still started at the cheapest tier

A model with replicas lists ``deployments = [{ base_url = ..., concurrency
= ..., weight = ..., api_key_env = ... }, ...]`` instead of one ``base_url``,
with ``strategy`` (least_busy | latency | weighted) and ``health = {
cooldown_s, max_cooldown_s, probe_timeout_s }``.

The embedded model runs in this process (``[models.local] engine = "process"``,
one answer at a time) or in a managed llama.cpp server (``engine =
"server"``, ``server_binary = "..."``): one slot per candidate a role draws,
decoded together (``scripts/build-llama-server.sh`` builds the binary).

A top-level ``engine = "ray"`` (before the first table) runs ``junto batch`` and
``junto eval`` on the Ray cluster at ``$RAY_ADDRESS`` (the ``ray`` extra).

Every error is a :class:`~junto.ConfigError` whose ``key`` names the offending
entry (``models.fast.base_url``); a key junto does not know is refused, not
ignored. API keys are read from the environment when a model is built, not
when the file is loaded.
"""

from __future__ import annotations

import enum
import os
import tomllib
import typing
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from junto._budget import Budget
from junto._exceptions import ConfigError, SandboxLimitsError
from junto.models._balance import BalanceStrategy, HealthPolicy
from junto.models._chat import ChatModel, Price, RetryPolicy
from junto.models._roster import Roster, RouteChoice, RoutePolicy
from junto.models._types import Model, Role
from junto.sandbox._limits import SandboxLimits

__all__ = [
    "BudgetConfig",
    "CONFIG_NAME",
    "Engine",
    "DeploymentConfig",
    "JuntoConfig",
    "LocalEngine",
    "ModelConfig",
    "ProviderKind",
    "ServerConfig",
    "StoreConfig",
    "config_search_path",
    "load_config",
]

CONFIG_NAME = "junto.toml"
LOCAL_MODEL_NAME = "local"


class ProviderKind(str, enum.Enum):
    """How a model is reached."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    LOCAL = "local"


class DeploymentConfig(BaseModel):
    """One entry of ``deployments = [...]``: a replica of its model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str
    name: str | None = None
    model: str | None = None
    """The name this server knows the model by, when it differs from the model's ``model``."""
    api_key_env: str | None = None
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    weight: float = Field(default=1.0, gt=0.0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value

    def label(self, index: int) -> str:
        """The name shown for it: ``name``, else host:port of its URL."""
        if self.name:
            return self.name
        host = self.base_url.split("://", 1)[1].split("/", 1)[0]
        return host or f"d{index}"


class LocalEngine(str, enum.Enum):
    """How a local model runs."""

    PROCESS = "process"  # llama-cpp-python in this process, one answer at a time
    SERVER = "server"  # a managed llama-server: concurrent candidates decoded in one batch


class Engine(str, enum.Enum):
    """Where ``junto batch`` and ``junto eval`` run their runs."""

    LOCAL = "local"  # this process
    RAY = "ray"  # the Ray cluster at $RAY_ADDRESS (else a new local one)


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
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    """Sampling temperature of every request that sets none of its own (absent: the request's default, 0).

    A temperature the request sets wins: the extra candidates ``[samples]``
    draws keep their own higher temperatures, only the first candidate takes
    this one. Anthropic's API caps it at 1. Applies to every deployment.
    """
    system_prompt: str | None = Field(default=None, min_length=1)
    """Put first in every request's system message (merged into the request's own, never a second one)."""
    samples: int | None = Field(default=None, ge=1, le=32)
    """Candidates per round a role starting on this model draws when neither its task nor ``[samples]`` says.

    Absent: the measured default of the model's kind (the embedded model's,
    see :data:`junto.models._local.DEFAULT_SAMPLES`), else 1. Applies to every
    deployment.
    """
    sample_temperatures: list[Annotated[float, Field(ge=0.0, le=2.0)]] | None = Field(default=None, min_length=1, max_length=16)
    """The temperatures a round draws its candidates after the first at, in turn, each with its own seed.

    Absent: the measured schedule of the model's kind (the embedded model's,
    see :data:`junto.models._local.SAMPLE_TEMPERATURES`), else junto's generic
    one (:data:`junto.agents._sampling.TEMPERATURES`). Applies to every
    deployment.
    """
    model_path: Path | None = None
    """Local models only: a GGUF file other than the embedded one."""
    engine: LocalEngine = LocalEngine.PROCESS
    """Local models only: in this process, or in a managed llama-server (batched candidates)."""
    server_binary: Path | None = None
    """Local models with ``engine = "server"``: the llama-server executable (default: on ``PATH``)."""
    deployments: list[DeploymentConfig] = Field(default_factory=list)
    """Replicas of this model (servers or keys), balanced; each takes ``base_url`` and may override the rest."""
    strategy: BalanceStrategy = BalanceStrategy.LEAST_BUSY
    health: HealthPolicy = Field(default_factory=HealthPolicy)

    @model_validator(mode="after")
    def _check_provider_fields(self) -> ModelConfig:
        if self.provider is not ProviderKind.LOCAL:
            if self.engine is not LocalEngine.PROCESS:
                raise _FieldError("engine", "'engine' applies to local models only")
            if self.server_binary is not None:
                raise _FieldError("server_binary", "'server_binary' applies to local models only")
        if self.provider is ProviderKind.LOCAL:
            if self.server_binary is not None and self.engine is not LocalEngine.SERVER:
                raise _FieldError("server_binary", "'server_binary' applies to engine = \"server\" only")
            for field in ("base_url", "api_key_env"):
                if getattr(self, field) is not None:
                    raise _FieldError(field, f"'{field}' does not apply to a local model")
            if self.deployments:
                raise _FieldError("deployments", "a local model has no deployments; list servers under an openai model")
        elif self.deployments:
            if self.base_url is not None:
                raise _FieldError("base_url", "give base_url per deployment when a model has deployments, not both")
            names = [d.label(i) for i, d in enumerate(self.deployments)]
            if len(set(names)) != len(names):
                raise _FieldError("deployments", f"two deployments share a name: {names}", hint="give each a distinct 'name'")
        else:
            if not self.model:
                raise _FieldError("model", f"a {self.provider.value} model needs 'model', the name the server knows it by")
            if self.model_path is not None:
                raise _FieldError("model_path", "'model_path' applies to local models only")
            if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
                raise _FieldError("base_url", f"base_url must start with http:// or https://, got {self.base_url!r}")
        return self

    def default_samples(self) -> int | None:
        """Candidates per round a role starting on this model draws by default: its own, else its kind's measured one."""
        if self.samples is not None:
            return self.samples
        if self.provider is ProviderKind.LOCAL and self.model_path is None:  # measured on the embedded weights only
            from junto.models._local import DEFAULT_SAMPLES

            return DEFAULT_SAMPLES
        return None

    def default_sample_temperatures(self) -> tuple[float, ...] | None:
        """The temperatures of a round's later candidates on this model: its own, else its kind's measured ones."""
        if self.sample_temperatures is not None:
            return tuple(self.sample_temperatures)
        if self.provider is ProviderKind.LOCAL and self.model_path is None:  # measured on the embedded weights only
            from junto.models._local import SAMPLE_TEMPERATURES

            return SAMPLE_TEMPERATURES
        return None

    def key_variable(self) -> str | None:
        """The environment variable holding this model's key, if it needs one."""
        if self.api_key_env:
            return self.api_key_env
        if self.provider is ProviderKind.ANTHROPIC:
            return "ANTHROPIC_API_KEY"
        if self.provider is ProviderKind.OPENAI and self.base_url is None and not self.deployments:
            return "OPENAI_API_KEY"
        return None


class _FieldError(ValueError):
    """Raised inside validators to point at one field of the table being validated."""

    def __init__(self, field: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.hint = hint


class BudgetConfig(BaseModel):
    """``[budget]``: the limits every run starts with (absent: unlimited)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: int | None = Field(default=None, ge=1)
    usd: float | None = Field(default=None, ge=0.0)
    wall_s: float | None = Field(default=None, gt=0.0)
    sandbox_s: float | None = Field(default=None, gt=0.0)

    def to_budget(self) -> Budget:
        return Budget(max_tokens=self.tokens, max_cost_usd=self.usd, max_wall_s=self.wall_s, max_sandbox_s=self.sandbox_s)


class ServerConfig(BaseModel):
    """``[server]``: how ``junto serve`` binds and limits itself; absent keys keep the server's defaults.

    The API key is never read from the file: ``junto serve`` takes it from
    ``JUNTO_API_KEY``. Per-run limits come from ``[budget]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str | None = None
    port: int | None = Field(default=None, ge=0, le=65535)
    max_concurrent_runs: int | None = Field(default=None, ge=1)
    max_body_bytes: int | None = Field(default=None, ge=1024)
    keep_runs: int | None = Field(default=None, ge=1)


class StoreConfig(BaseModel):
    """``[store]``: where runs and sessions are kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = None
    """A SQLite path or a ``postgresql://`` URL; absent: ``$JUNTO_HOME/junto.db``."""


class JuntoConfig(BaseModel):
    """The whole of ``junto.toml``, validated. Unknown sections and keys are errors."""

    model_config = ConfigDict(extra="forbid")

    models: dict[str, ModelConfig] = Field(default_factory=dict)
    roles: dict[Role, list[str]] = Field(default_factory=dict)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    sandbox: SandboxLimits = Field(default_factory=SandboxLimits)
    server: ServerConfig = Field(default_factory=ServerConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    samples: dict[Role, Annotated[int, Field(ge=1, le=32)]] = Field(default_factory=dict)  # candidates per round, by role
    routing: dict[Role, RoutePolicy] = Field(default_factory=dict)  # where each role's tasks start: ordered or learned
    engine: Engine = Engine.LOCAL

    _source: Path | None = PrivateAttr(default=None)
    _built: dict[str, Model] = PrivateAttr(default_factory=dict)

    @field_validator("sandbox", mode="before")
    @classmethod
    def _sandbox_limits(cls, value: Any) -> Any:
        # SandboxLimits raise their own error; point it at the key in the file.
        if not isinstance(value, dict):
            return value
        unknown = [key for key in value if key not in SandboxLimits.model_fields]
        if unknown:
            raise _FieldError(unknown[0], "unknown key", hint=_known_hint(list(SandboxLimits.model_fields)))
        try:
            return SandboxLimits(**value)
        except SandboxLimitsError as error:
            field, reason = next(iter(error.problems.items()), ("", error.message))
            raise _FieldError(field, reason) from None

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

    def with_samples(self, samples: int | None) -> JuntoConfig:
        """This configuration with every role drawing ``samples`` candidates, as ``--samples`` asks (``None``: unchanged).

        Build models from the result, so a managed llama-server gets a slot for each candidate.
        """
        if samples is None:
            return self
        copy = self.model_copy(update={"samples": dict.fromkeys(Role, samples)})
        copy._built = {}  # models built for the old counts are not this configuration's
        return copy

    def build_model(self, name: str) -> Model:
        """The model called ``name`` (one instance per name per configuration)."""
        if name not in self._built:
            self._built[name] = _build(name, self.model_settings(name), slots=self._most_samples_on(name))
        return self._built[name]

    async def aclose(self) -> None:
        """Close every model this configuration built (a roster's and any other, such as a baseline), each once.

        Their connections and any server they started end; they can be used again later.
        """
        for model in self._built.values():
            await model.aclose()

    def samples_for(self, role: Role) -> int:
        """Candidates per round ``role`` draws (a task may set its own): ``[samples]``, else its first tier's default, else 1."""
        return self.samples.get(role) or self.model_settings(self._tiers(role)[0]).default_samples() or 1

    def _tiers(self, role: Role) -> list[str]:
        """The models ``role`` escalates through: its ``[roles]`` entry, else :meth:`default_tiers`."""
        return list(self.roles.get(role) or self.default_tiers())

    def _most_samples_on(self, name: str) -> int:
        """The most candidates one round can draw from model ``name`` at once: over every role with it as a tier.

        A role draws its own count at whichever tier a round runs on (escalated, or started there by a learned route).
        """
        return max([1, *(self.samples_for(role) for role in Role if name in self._tiers(role))])

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
        router = None
        if any(policy.route is RouteChoice.LEARNED for policy in self.routing.values()):
            from junto._routing import LearnedRouter

            router = LearnedRouter(self.routing, store=self.store.url)
        return Roster(roles, default=[self.build_model(name) for name in self.default_tiers()], router=router)


def _build(name: str, settings: ModelConfig, *, slots: int = 1) -> Model:
    # Imported here: building a model is the edge where backends are chosen.
    options: dict[str, Any] = {
        "name": name,
        "retry": settings.retry,
        "timeout_s": settings.timeout_s,
        "concurrency": settings.concurrency,
        "price": settings.price,
        "structured_repairs": settings.structured_repairs,
        "temperature": settings.temperature,
        "system_prompt": settings.system_prompt,
        "samples": settings.default_samples(),
        "sample_temperatures": settings.default_sample_temperatures(),
    }
    if settings.provider is ProviderKind.LOCAL:
        if settings.engine is LocalEngine.SERVER:  # a slot per concurrent call and per candidate of a round
            from junto.models._llama_server import LlamaServerBackend

            slots = max(slots, settings.concurrency)
            server = LlamaServerBackend(binary=settings.server_binary, model_path=settings.model_path, slots=slots)
            return ChatModel(server, **{**options, "concurrency": slots})
        from junto.models._local import LocalBackend

        return ChatModel(LocalBackend(model_path=settings.model_path), **options)
    if settings.deployments:
        from junto.models._balance import Replica, strategy_for
        from junto.models._replicas import ReplicaBackend

        replicas = [
            Replica(
                name=deployment.label(index),
                backend=_remote_backend(
                    name,
                    settings,
                    base_url=deployment.base_url,
                    model=deployment.model or settings.model,
                    variable=deployment.api_key_env or settings.key_variable(),
                    key_entry=f"models.{name}.deployments.{index}.api_key_env",
                ),
                concurrency=deployment.concurrency or settings.concurrency,
                weight=deployment.weight,
                base_url=deployment.base_url,
            )
            for index, deployment in enumerate(settings.deployments)
        ]
        backend = ReplicaBackend(replicas, model_id=name, strategy=strategy_for(settings.strategy), health=settings.health)
        return ChatModel(backend, **{**options, "concurrency": backend.concurrency})
    backend = _remote_backend(
        name,
        settings,
        base_url=settings.base_url,
        model=settings.model,
        variable=settings.key_variable(),
        key_entry=f"models.{name}.api_key_env",
    )
    return ChatModel(backend, **options)


def _remote_backend(
    name: str, settings: ModelConfig, *, base_url: str | None, model: str | None, variable: str | None, key_entry: str
) -> Any:
    key = None
    if variable is not None:
        key = os.environ.get(variable)
        if not key:
            raise ConfigError(
                f"model '{name}' needs an API key in the environment variable {variable}, which is not set",
                key=key_entry,
                hint=f"export {variable}=... or point api_key_env at the variable that holds the key",
            )
    if settings.provider is ProviderKind.ANTHROPIC:
        from junto.models._anthropic import DEFAULT_BASE_URL, AnthropicBackend, AnthropicProvider

        anthropic = AnthropicProvider(base_url or DEFAULT_BASE_URL, api_key=key, api_key_env=variable)
        return AnthropicBackend(anthropic, model=str(model))
    from junto.models._openai import DEFAULT_BASE_URL as OPENAI_URL
    from junto.models._openai import OpenAIBackend, OpenAIProvider

    provider = OpenAIProvider(base_url or OPENAI_URL, api_key=key, api_key_env=variable)
    return OpenAIBackend(provider, model=str(model))


def _config_error(error: ValidationError, where: str) -> ConfigError:
    item = error.errors()[0]
    location = [str(part) for part in item.get("loc", ()) if part != "[key]"]
    cause = (item.get("ctx") or {}).get("error")
    hint = None
    if isinstance(cause, _FieldError):
        location += [cause.field] if cause.field else []
        message, hint = str(cause), cause.hint
    elif isinstance(cause, ValueError):
        message = str(cause)
    elif item.get("type") == "extra_forbidden":
        what = "section" if len(location) == 1 else "key"
        message, hint = f"unknown {what}", _known_hint(_known_keys(location[:-1]), what=what)
    else:
        message = item.get("msg", "invalid value")
    key = ".".join(location) or None
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return ConfigError(f"{where}: {key or 'the file'}: {message}{more}", key=key, hint=hint)


def _known_hint(known: list[str], *, what: str = "key") -> str | None:
    return f"known {what}s here: {', '.join(known)}" if known else None


def _known_keys(location: list[str]) -> list[str]:
    """The keys the table at ``location`` accepts (``[]`` when it cannot tell)."""
    model: Any = JuntoConfig
    parts = list(location)
    while parts:
        field = model.model_fields.get(parts.pop(0)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = field.annotation
        if typing.get_origin(model) in (dict, list):  # [models.NAME]: the name is any key; deployments.0: an index
            if not parts:
                return []
            parts.pop(0)
            model = typing.get_args(model)[-1]
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


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
