"""junto.toml: where it is looked for, what it defaults to, and errors that point at the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from junto.sandbox import SandboxLimits

from junto import Budget, ConfigError, JuntoConfig, load_config
from junto.models import AnthropicBackend, ChatModel, FunctionModel, LocalBackend, OpenAIBackend, Role

FULL = """
[models.fast]
provider = "openai"
base_url = "http://127.0.0.1:11434/v1"
model = "qwen2.5:7b"
price = { input_per_mtok = 0.15, output_per_mtok = 0.6 }
concurrency = 2
timeout_s = 60

[models.strong]
provider = "anthropic"
model = "claude-x"
api_key_env = "JUNTO_TEST_ANTHROPIC"

[roles]
planner = ["fast", "strong"]
math = ["fast", "local"]
aggregator = ["strong"]

[budget]
tokens = 50000
usd = 0.25

[sandbox]
memory = "512m"
cpus = 2

[server]
port = 9100
max_concurrent_runs = 2

[store]
url = "runs.db"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and an empty user config dir."""
    work, user = tmp_path / "work", tmp_path / "user"
    work.mkdir()
    user.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr("platformdirs.user_config_dir", lambda appname: str(user / appname))
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_no_file_means_every_role_uses_one_embedded_model(home: Path) -> None:
    config = load_config()
    assert config.source is None
    roster = config.build_roster()
    models = {id(roster.first(role)) for role in Role}
    assert len(models) == 1
    model = roster.first(Role.PLANNER)
    assert isinstance(model, ChatModel) and isinstance(model.backend, LocalBackend)


def test_search_order_explicit_then_cwd_then_user_dir(home: Path) -> None:
    user = write(home / "user" / "junto" / "junto.toml", '[models.u]\nprovider = "local"\n')
    assert load_config().source == user
    cwd = write(home / "work" / "junto.toml", '[models.c]\nprovider = "local"\n')
    assert load_config().source == cwd
    explicit = write(home / "elsewhere.toml", '[models.e]\nprovider = "local"\n')
    config = load_config(explicit)
    assert config.source == explicit and list(config.models) == ["e"]


def test_explicit_path_that_does_not_exist_is_an_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(home / "missing.toml")


def test_full_config_builds_tiers_with_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNTO_TEST_ANTHROPIC", "sk-ant")
    config = load_config(write(home / "junto.toml", FULL))
    roster = config.build_roster()

    planner = roster.tiers(Role.PLANNER)
    assert [m.name for m in planner] == ["fast", "strong"]
    fast, strong = planner
    assert isinstance(fast.backend, OpenAIBackend) and fast.backend.provider.base_url == "http://127.0.0.1:11434/v1"
    assert fast.backend.model == "qwen2.5:7b" and fast.timeout_s == 60 and fast.price.output_per_mtok == 0.6
    assert isinstance(strong.backend, AnthropicBackend) and strong.backend.provider.api_key == "sk-ant"
    assert roster.tiers(Role.MATH)[0] is fast  # one instance per name
    assert isinstance(roster.tiers(Role.MATH)[1].backend, LocalBackend)
    assert [m.name for m in roster.tiers(Role.CODE)] == ["fast"]  # unlisted roles: the first model defined
    assert config.budget.to_budget() == Budget(max_tokens=50_000, max_cost_usd=0.25)
    assert config.sandbox == SandboxLimits(memory=512 * 1024 * 1024, cpus=2.0)
    assert config.server.port == 9100 and config.server.max_concurrent_runs == 2 and config.server.host is None
    assert config.store.url == "runs.db"


def test_absent_sections_mean_no_limits_and_hardened_defaults() -> None:
    config = JuntoConfig.from_toml("")
    assert config.budget.to_budget() == Budget()
    assert config.sandbox == SandboxLimits()
    assert config.server.model_dump(exclude_none=True) == {} and config.store.url is None


def test_missing_key_names_the_variable(home: Path) -> None:
    config = load_config(write(home / "junto.toml", FULL))
    with pytest.raises(ConfigError) as caught:
        config.build_model("strong")
    assert caught.value.key == "models.strong.api_key_env"
    assert "JUNTO_TEST_ANTHROPIC" in str(caught.value)


def test_openai_without_base_url_needs_openai_api_key(home: Path) -> None:
    config = JuntoConfig.from_toml('[models.gpt]\nmodel = "gpt-4o-mini"\n')
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        config.build_model("gpt")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[models.fast]\nprovider = "openai"\nbase_url = "localhost:8080"\nmodel = "m"\n', "models.fast.base_url"),
        ('[models.fast]\nprovider = "openia"\nmodel = "m"\n', "models.fast.provider"),
        ('[models.fast]\nprovider = "openai"\n', "models.fast.model"),
        ('[models.fast]\nmodel = "m"\nconcurrency = 0\n', "models.fast.concurrency"),
        ('[models.fast]\nmodel = "m"\nprice = { input_per_mtok = -1 }\n', "models.fast.price.input_per_mtok"),
        ('[models.fast]\nmodel = "m"\nbase_uri = "http://x"\n', "models.fast.base_uri"),
        ('[models.l]\nprovider = "local"\nbase_url = "http://x"\n', "models.l.base_url"),
        ('[roles]\nplanner = ["ghost"]\n', "roles.planner"),
        ('[roles]\nwizard = ["local"]\n', "roles.wizard"),
        ("[telemetry]\nenabled = true\n", "telemetry"),
        (
            '[models.fast]\nmodel = "m"\nprice = { input_per_mtok = 1, outptu_per_mtok = 2 }\n',
            "models.fast.price.outptu_per_mtok",
        ),
        ('[models.fast]\nmodel = "m"\nretry = { max_attemps = 2 }\n', "models.fast.retry.max_attemps"),
        ("[budget]\ntokens = 0\n", "budget.tokens"),
        ('[budget]\ntokens = "many"\n', "budget.tokens"),
        ("[budget]\nmax_tokens = 5\n", "budget.max_tokens"),
        ('[sandbox]\nmemory = "nonsense"\n', "sandbox.memory"),
        ('[sandbox]\nmemory = "8m"\n', "sandbox.memory"),
        ("[sandbox]\ncpus = 100\n", "sandbox.cpus"),
        ('[sandbox]\nimage = "python:3.12-slim"\n', "sandbox.image"),
        ("[server]\nport = 70000\n", "server.port"),
        ('[server]\napi_key = "secret"\n', "server.api_key"),
        ('[store]\nuri = "x.db"\n', "store.uri"),
    ],
)
def test_errors_point_at_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        JuntoConfig.from_toml(text)
    assert caught.value.key == key
    assert key in str(caught.value)


def test_bad_sandbox_size_names_the_key_and_the_file(home: Path) -> None:
    path = write(home / "junto.toml", '[sandbox]\nmemory = "nonsense"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "sandbox.memory"
    assert str(path) in caught.value.message and "cannot read 'nonsense' as a size" in caught.value.message


def test_unknown_key_names_the_key_the_file_and_the_known_keys(home: Path) -> None:
    path = write(home / "junto.toml", "[budget]\ntokens = 5\ntokenz = 6\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.message == f"{path}: budget.tokenz: unknown key"
    assert caught.value.hint == "known keys here: tokens, usd, wall_s, sandbox_s"


def test_toml_syntax_error_is_a_config_error(home: Path) -> None:
    path = write(home / "junto.toml", "[models.fast\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_general_role_is_the_default_for_unlisted_roles() -> None:
    config = JuntoConfig.from_toml('[models.a]\nprovider = "local"\n[models.b]\nprovider = "local"\n[roles]\ngeneral = ["b"]\n')
    assert config.build_roster().first(Role.WRITING).name == "b"


class _Closing(FunctionModel):
    """A model that records each close in ``closed``."""

    def __init__(self, name: str, closed: list[str]) -> None:
        super().__init__(lambda messages, request: "x", name=name)
        self._closed = closed

    async def aclose(self) -> None:
        self._closed.append(self.name)


async def test_aclose_closes_every_model_the_config_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[str] = []
    monkeypatch.setattr("junto._config._build", lambda name, settings, *, slots=1: _Closing(name, closed))
    config = JuntoConfig.from_toml(
        "".join(f'[models.{name}]\nprovider = "local"\n' for name in "abcd") + '[roles]\nplanner = ["a", "b"]\nmath = ["a"]\n'
    )
    roster = config.build_roster()  # a (planner, math and the default tiers) and b
    config.build_model("c")  # a model outside the roster, as `junto eval --baseline c` builds it
    assert roster.first(Role.MATH) is config.build_model("a")
    await config.aclose()
    assert sorted(closed) == ["a", "b", "c"]  # each once; d was never built, so neither built nor closed now
