"""Territoires connectés: the web service around the maturity engine.

Importing the package sets the allocator of polars (jemalloc, read once, when polars first
allocates) to keep the memory it frees instead of handing it back to the system, unless the
environment says otherwise (``_RJEM_MALLOC_CONF``): a campaign's peer frames are a few
hundred megabytes made anew at each recompute, and memory handed back must be faulted in
again page by page (`benchmarks/README.md`, scale: the published frame built in 0.33 s
instead of 0.73 s over ten campaigns). Every entry point (``territoires``, the workers, the
tests, the benchmarks) imports this package before polars."""

import os

ALLOCATOR = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
"""jemalloc's configuration: freed pages are kept for reuse, never purged."""

os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR)
