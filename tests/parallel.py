"""Running the suite on several processes (pytest-xdist), as `make test` does.

Two constraints shape the distribution:

- The browser suite drives Chromium through Playwright's synchronous API, whose event loop
  stays current in its process until the session ends: no asyncio test may run after it in
  the same process. The browser tests therefore run in a *lane*: one worker receives, at the
  start, the lane's test files in collection order (the browser files last) and nothing else.
  The lane also takes the reliability tests (real server processes), so that it lasts about
  as long as the other workers' share.
- The other files are handed out one file at a time to the other workers, largest first
  (``--dist loadfile``), so that module fixtures are built once.

Passage vectors are computed once, by the controller, before the workers start (see
`warm_embedding_cache`): otherwise every worker would embed the corpus itself.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xdist.scheduler import LoadFileScheduling

LANE = ("tests/integration/reliability/", "tests/browser/")


def worker_number() -> int:
    """0 for the first xdist worker (``gw0``) or a run without workers, 1 for ``gw1``…"""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


class LaneScheduling(LoadFileScheduling):  # type: ignore[misc]
    """``loadfile`` distribution, except that the first worker to ask for work gets every
    test of the lane, in collection order, and is then told that no more will come (with a
    single worker, the lane is its last unit of work)."""

    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        self.lane_node: Any = None

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(LANE):
            return "lane"
        return str(super()._split_scope(nodeid))

    def _assign_work_unit(self, node: Any) -> None:
        if node is self.lane_node:
            return
        if self.lane_node is None and "lane" in self.workqueue:
            if len(self.nodes) == 1 and len(self.workqueue) > 1:
                # a single worker runs everything: the lane comes last
                self.workqueue.move_to_end("lane")
                super()._assign_work_unit(node)
                return
            self.lane_node = node
            work_unit = self.workqueue.pop("lane")
            self.assigned_work.setdefault(node, {})["lane"] = work_unit
            collection = self.registered_collections[node]
            node.send_runtest_some([collection.index(nodeid) for nodeid in work_unit])
            node.shutdown()  # the worker finishes its lane, then stops
            return
        super()._assign_work_unit(node)

    def _reschedule(self, node: Any) -> None:
        if node is not self.lane_node:
            super()._reschedule(node)


def warm_embedding_cache(say: Callable[[str], None]) -> None:
    """Index the knowledge cards and the shared corpus once in a throwaway directory, so that
    the suite's embedding cache holds every passage vector before the workers start (the
    embedding engine uses every core; several workers embedding at once would repeat the
    same work). `say` tells the person waiting what is going on."""
    from knowledge.chunking import ChunkingConfig
    from knowledge.config import CORPUS_DIR
    from knowledge.ingest import Ingester
    from knowledge.retrieval import KnowledgeBase
    from tests.knowledge_fixtures import SHARED_CORPUS, config_for

    say("Vecteurs des passages du corpus (calculés une fois, gardés en cache)…")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="territoires-warm-") as directory:
        kb = KnowledgeBase.open(config_for(Path(directory)))
        paths = [CORPUS_DIR] + ([SHARED_CORPUS] if SHARED_CORPUS.is_dir() else [])
        report = Ingester(kb, ChunkingConfig()).run(paths)
    say(
        f"… prêts : {report.passages} passages en {time.monotonic() - started:.0f} s ; "
        "les processus de test démarrent."
    )
