"""Territoires connectés: the web service around the maturity engine.

Importing the package sets the allocator of polars (jemalloc, configured when polars is
imported) to keep the memory it frees, unless the environment says otherwise
(``_RJEM_MALLOC_CONF``, which polars appends to its own settings: it hands freed memory back
to the system after half a second). A campaign's peer frames are a few hundred megabytes
made anew at each recompute, and memory handed back must be faulted in again page by page
(`benchmarks/README.md`, scale: the published frames of ten campaigns built in 0.33 s
instead of 0.73 s). The service's entry points (``territoires`` and its workers) and the
scale benchmark import this package before polars."""

import os

ALLOCATOR = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
"""jemalloc's configuration: freed pages are kept for reuse, never purged."""

os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR)
