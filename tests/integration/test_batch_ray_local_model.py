"""`junto batch --ray` with every role on the real embedded model, on two Ray nodes of which one holds it.

Both nodes advertise ``sandbox``; only the second advertises ``local_model``.
With one run at a time per node, two runs spread over both nodes unless they
are placed by what they need: both must run on the ``local_model`` node.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.batch import ROOT, ray_cluster

pytestmark = [pytest.mark.slow, pytest.mark.model, pytest.mark.docker]

JUNTO = str(Path(sys.executable).with_name("junto"))


def test_runs_on_the_embedded_model_go_to_the_node_that_holds_it(tmp_path: Path) -> None:
    found = subprocess.run([JUNTO, "models", "path"], capture_output=True, text=True, timeout=60)
    assert found.returncode == 0, found.stderr
    gguf = Path(found.stdout.strip().splitlines()[-1])
    assert gguf.is_file(), gguf
    config = tmp_path / "junto.toml"
    config.write_text(f'[models.local]\nprovider = "local"\nmodel_path = "{gguf}"\n')  # every role on it, by default
    batch, results = tmp_path / "batch.jsonl", tmp_path / "results.jsonl"
    batch.write_text(
        "".join(json.dumps({"id": name, "task": f"Say hello to {name} in one short sentence."}) + "\n" for name in ("Ada", "Bob"))
    )
    with ray_cluster(tmp_path, nodes=1, resources='{"sandbox": 1}') as cluster:
        cluster.add_node(resources='{"sandbox": 1, "local_model": 1}')
        offers = cluster.nodes_offering("local_model")
        command = [JUNTO, "batch", str(batch), "--out", str(results), "--config", str(config)]
        command += ["--ray", cluster.address, "--concurrency", "1", "--store", str(tmp_path / "runs.db")]
        done = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "JUNTO_HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert sorted(offers.values()) == [False, True], offers  # two nodes, one holding the model
    (holder,) = [node for node, holds in offers.items() if holds]
    assert "on Ray, 2 nodes, 2 at once" in done.stderr, done.stderr[-3000:]
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == ["Ada", "Bob"]
    for line in lines:
        assert line["error"] is None and line["exit_reason"] == "completed", line
        assert line["node"] == holder, (line["node"], offers)
        assert line["result"]["answer"].strip()
    # a run may end failed on a model this small (an honest outcome); the exit status says so, and nothing else
    assert done.returncode == (1 if any(line["status"] == "failed" for line in lines) else 0), done.stderr[-3000:]
