"""``[models.local] engine = "server"``: the embedded model behind a managed llama-server, chosen in junto.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from junto import ConfigError, JuntoConfig
from junto.models import ChatModel, LlamaServerBackend, LocalBackend, Role


def test_the_in_process_engine_stays_the_default() -> None:
    model = JuntoConfig.from_toml("").build_model("local")
    assert isinstance(model, ChatModel) and isinstance(model.backend, LocalBackend)


def test_server_engine_has_a_slot_per_candidate_and_starts_nothing(tmp_path: Path) -> None:
    binary = tmp_path / "llama-server"
    config = JuntoConfig.from_toml(
        f"""
[models.local]
provider = "local"
engine = "server"
server_binary = "{binary}"
concurrency = 2

[roles]
code = ["local"]

[samples]
code = 6
"""
    )
    model = config.build_model("local")
    assert isinstance(model, ChatModel)
    backend = model.backend
    assert isinstance(backend, LlamaServerBackend)
    assert backend.binary == binary
    assert backend.slots == 6  # the most candidates a role draws at once, above the model's concurrency
    assert backend.pid is None and backend.base_url is None  # building a model starts no process
    assert config.samples[Role.CODE] == 6


@pytest.mark.parametrize(
    ("roles", "samples", "slots"),
    [
        ('code = ["local"]', "", 6),  # code starts on local and nothing else says: the model's own 6
        ('code = ["local"]', "code = 3", 3),  # [samples] beats the model's, and no other role reaches local
        ('math = ["remote", "local"]', "math = 5", 5),  # a role escalating to local draws its count there too
        ('math = ["remote", "local"]', "", 2),  # math draws remote's default, 1: the model's concurrency is the floor
    ],
)
def test_server_slots_cover_the_most_candidates_any_role_on_the_model_draws(
    tmp_path: Path, roles: str, samples: str, slots: int
) -> None:
    config = JuntoConfig.from_toml(
        f"""
[models.remote]
base_url = "http://127.0.0.1:9/v1"
model = "m"

[models.local]
provider = "local"
engine = "server"
server_binary = "{tmp_path / "llama-server"}"
concurrency = 2
samples = 6

[roles]
general = ["remote"]
{roles}

[samples]
{samples}
"""
    )
    model = config.build_model("local")
    assert isinstance(model, ChatModel) and isinstance(model.backend, LlamaServerBackend)
    assert model.backend.slots == slots


async def test_a_missing_binary_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    backend = LlamaServerBackend(binary=tmp_path / "absent")
    with pytest.raises(ConfigError) as caught:
        await backend.start()
    assert caught.value.key == "models.local.server_binary"
    assert "build-llama-server.sh" in str(caught.value)
    assert backend.pid is None


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('provider = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\nengine = "server"', "engine"),
        ('provider = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\nserver_binary = "/x"', "server_binary"),
        ('provider = "local"\nengine = "gpu"', "engine"),
        ('provider = "local"\nserver_binary = "/x"', "server_binary"),
    ],
)
def test_engine_keys_apply_to_local_models_only(table: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        JuntoConfig.from_toml(f"[models.m]\n{table}\n")
    assert caught.value.key == f"models.m.{key}"


def test_samples_from_the_command_line_size_the_server_too(tmp_path: Path) -> None:
    toml = (
        f'[models.local]\nprovider = "local"\nengine = "server"\nserver_binary = "{tmp_path / "llama-server"}"\nconcurrency = 2\n'
    )
    config = JuntoConfig.from_toml(toml)
    before = config.build_model("local")
    flagged = config.with_samples(8)  # what --samples 8 does before the roster is built
    assert flagged.samples_for(Role.CODE) == 8 and flagged.samples_for(Role.PLANNER) == 8
    model = flagged.build_model("local")
    assert isinstance(model, ChatModel) and isinstance(model.backend, LlamaServerBackend)
    assert model.backend.slots == 8  # every candidate of a round decodes at once
    assert model is not before and config.build_model("local") is before  # the original keeps its own models
    assert config.with_samples(None) is config
