"""Without the otel extra, asking for OpenTelemetry export names the extra to install."""

from __future__ import annotations

import sys

import pytest

from junto._exceptions import MissingDependencyError
from junto._otel import OtelExporter


@pytest.mark.parametrize("missing", ["opentelemetry.sdk.trace", "opentelemetry.exporter.otlp.proto.http.trace_exporter"])
def test_missing_otel_names_the_extra(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # import of it raises ImportError
    with pytest.raises(MissingDependencyError) as raised:
        OtelExporter()
    assert raised.value.extra == "otel"
    assert "pip install 'junto[otel]'" in str(raised.value.hint)
