"""Conformance suites: one contract per interface, run on every implementation of it.

- ``test_sandbox.py``: the :class:`~junto.sandbox.Sandbox` contract on the
  Docker sandbox, a Docker sandbox session, ``FakeSandbox`` and the local
  stand-in the unit tests use (``_sandboxes.py`` registers them).
- ``test_models.py``: the :class:`~junto.models.Model` contract on the
  OpenAI-compatible backend (over ``httpx.MockTransport`` and over aiohttp to
  a server on 127.0.0.1), the Anthropic backend, a model with two
  deployments (``ReplicaBackend``), ``FunctionModel``, ``FallbackModel`` and
  the embedded model (``_models.py`` registers them).

A new implementation is added to its registry with the capabilities it
claims; the suite then runs every contract test it is bound by. A sandbox
capability it does not claim is shown to be absent (its check fails on it), a
model's declared faults are each met through ``complete`` and ``stream``, and
a known break is a strict xfail that says why.
"""
