"""``junto serve`` as a Ray Serve deployment: replicas of the same HTTP app, spread over a Ray cluster.

:func:`serve_deployment` returns the application to hand to ``serve.run``.
Each replica builds its own Junto from the same ``junto.toml`` and serves the
app ``junto serve`` serves, with the settings of ``[server]`` and
``[budget]`` (Ray Serve's proxy binds the address; ``[server] host`` and
``port`` do not apply). The file is read on the replica's node, so it must be
at the same path on every machine, unless the node's ``ray start`` sets
``JUNTO_NODE_CONFIG`` (then that file). The API key, when there is one, is
``JUNTO_API_KEY`` in the replica's environment.

Replicas that share ``[store] url = "postgresql://..."`` share runs and
sessions, so the proxy may send a request to any replica: a conversation
continues on whichever replica gets its next turn. Only a run's live event
stream (``/v1/runs/{id}/events`` while it runs) must reach the replica
running it, which the proxy does not ensure.

Replicas are placed as batch runs are: on nodes advertising ``sandbox`` (a
chat may be planned into code), and also ``local_model`` when a role is on
the embedded model.

Ray Serve is the ``ray`` extra and is imported only here, lazily.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from junto._exceptions import MissingDependencyError
from junto.scale._runner import NODE_CONFIG_VARIABLE, Need

__all__ = ["import_serve", "replica_app", "serve_deployment"]

_SHARE = 0.001  # of a node's resource, per replica: any number of replicas fit on a node that offers it


def import_serve() -> Any:
    """The ``ray.serve`` module, or :class:`MissingDependencyError` naming ``junto[ray]``."""
    try:
        from ray import serve
    except ImportError as error:
        raise MissingDependencyError("junto serve on Ray Serve", "ray") from error
    return serve


def serve_deployment(
    config: str | Path | None = None,
    *,
    num_replicas: int = 1,
    name: str = "junto",
    ray_actor_options: Mapping[str, Any] | None = None,
) -> Any:
    """``junto serve`` with ``num_replicas`` replicas, as an application for ``serve.run``.

    ``config`` is the ``junto.toml`` every replica builds its Junto from
    (``None``: the one the search path finds here, else the defaults). It is
    read here too, so a mistake in it is a :class:`~junto.ConfigError` now
    rather than a replica failing to start. ``ray_actor_options`` are Ray
    Serve's (``num_cpus``, ``runtime_env``, ...); the resources each replica
    needs are added to any it names.
    """
    from junto._config import load_config
    from junto.scale._engine import uses_local_model

    loaded = load_config(Path(config).resolve() if config is not None else None)
    serve = import_serve()
    source = str(loaded.source.resolve()) if loaded.source is not None else None
    needs = {Need.SANDBOX} | ({Need.LOCAL_MODEL} if uses_local_model(loaded) else set())
    options = dict(ray_actor_options or {})
    options["resources"] = {**{need.value: _SHARE for need in needs}, **dict(options.get("resources") or {})}

    def build_app() -> Any:  # called in each replica as it starts
        return replica_app(source)

    ingress = serve.ingress(build_app)()
    return serve.deployment(ingress, name=name, num_replicas=num_replicas, ray_actor_options=options).bind()


def replica_app(config: str | None) -> Any:
    """One replica's ASGI app: its own Junto from ``config`` (``JUNTO_NODE_CONFIG`` on its node wins)."""
    from junto._config import load_config
    from junto._junto import Junto
    from junto.server import create_app
    from junto.server._settings import API_KEY_ENV, server_settings

    chosen = os.environ.get(NODE_CONFIG_VARIABLE) or config
    path = Path(chosen) if chosen else None
    settings = server_settings(load_config(path), api_key=os.environ.get(API_KEY_ENV) or None)
    junto = Junto.from_config(path)
    junto.warm()  # the replica's first request does not wait on imports
    return create_app(junto, settings=settings)
