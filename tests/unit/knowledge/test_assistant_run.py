"""`knowledge.assistant.run.drained`: the synchronous path steps the one asynchronous
answer implementation by hand, and refuses a generator that really waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from knowledge.assistant.run import drained


async def _count(n: int, closed: list[bool]) -> AsyncGenerator[int, None]:
    try:
        for i in range(n):
            yield i
    finally:
        closed.append(True)


async def _waits() -> AsyncGenerator[int, None]:
    yield 1
    await asyncio.sleep(0)
    yield 2


def test_a_generator_that_never_suspends_is_drained_in_order() -> None:
    closed: list[bool] = []
    assert list(drained(_count(4, closed))) == [0, 1, 2, 3]
    assert closed == [True]


def test_stopping_early_closes_the_generator() -> None:
    closed: list[bool] = []
    items = drained(_count(10, closed))
    assert next(items) == 0
    items.close()
    assert closed == [True]


def test_a_generator_that_awaits_input_output_is_refused() -> None:
    items = drained(_waits())
    assert next(items) == 1
    with pytest.raises(RuntimeError, match="attendu"):
        next(items)
