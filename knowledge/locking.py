"""One writer at a time on the index, across threads and processes (service workers, the
command line): an exclusive `flock` on a file next to the index."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["WriteLock"]


class WriteLock:
    """Exclusive lock on `path` (created if needed); without a path, within the process only."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._local = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block (waits for the current holder)."""
        with self._local:
            if self.path is None:
                yield
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
