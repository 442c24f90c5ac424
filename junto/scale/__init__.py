"""Many runs at once: ``junto batch`` and ``junto eval`` on this machine or across a Ray cluster (``--ray``).

Runs keep their state in the run store, so a batch resumes where it stopped
and a lost node's runs resume on another node from their checkpoints.
:func:`serve_deployment` runs ``junto serve`` as a Ray Serve deployment. Ray
is the ``ray`` extra, imported only when ``--ray`` (or ``engine = "ray"``)
asks for it, or a deployment is built.
"""

from junto.scale._batch import BatchSummary, done_ids, needs_of, read_batch, run_batch, run_id_for
from junto.scale._engine import open_ensemble, open_pool, uses_local_model
from junto.scale._pool import LocalWorker, NodeLost, Pool, Worker
from junto.scale._runner import BatchItem, BatchLine, Need, NodeRunner, load_item_graph
from junto.scale._serve import serve_deployment

__all__ = [
    "BatchItem",
    "BatchLine",
    "BatchSummary",
    "LocalWorker",
    "Need",
    "NodeLost",
    "NodeRunner",
    "Pool",
    "Worker",
    "done_ids",
    "load_item_graph",
    "needs_of",
    "open_ensemble",
    "open_pool",
    "read_batch",
    "run_batch",
    "run_id_for",
    "serve_deployment",
    "uses_local_model",
]
