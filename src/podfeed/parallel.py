"""Spread independent work over the machine's cores, keeping results in order.

Workers are forked, so they share the parent's loaded show and compiled templates
without pickling them; only results travel back. Forking a process with other threads
running can deadlock, so then (and for small jobs, where starting workers costs more than
it saves) the work runs here, in order, as it would anyway.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from podfeed.errors import PodfeedError, Problem

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 200  # below this, forking costs more than it saves
_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def parallel_map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """[function(item) for item in items], on every core when that pays."""
    count = workers()
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if count < 2 or len(items) < MIN_ITEMS or not can_fork or threading.active_count() > 1:
        return [function(item) for item in items]
    global _JOB
    _JOB = (function, items)
    try:
        size = -(-len(items) // (count * 4))  # a few chunks a worker, to even out the load
        chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(count) as pool:
            parts = pool.map(_run_chunk, chunks)
    finally:
        _JOB = None
    results: list[R] = []
    for part in parts:
        if isinstance(part, _Failed):
            raise PodfeedError(part.problems) if part.kind is None else part.kind(part.problems)
        results += part
    return results


class _Failed:
    """A PodfeedError carried back from a worker (exceptions lose their problems in pickling)."""

    def __init__(self, kind: type[PodfeedError] | None, problems: tuple[Problem, ...]) -> None:
        self.kind, self.problems = kind, problems


def _run_chunk(bounds: tuple[int, int]) -> list[Any] | _Failed:
    assert _JOB is not None
    function, items = _JOB
    try:
        return [function(items[index]) for index in range(*bounds)]
    except PodfeedError as error:
        return _Failed(type(error), error.problems)


def threaded_map(function: Callable[[T], R], items: Sequence[T], threads: int = 8) -> list[R]:
    """[function(item) for item in items] on a few threads: for file-system calls, which
    wait on the disk with the interpreter lock released, so their waits overlap."""
    if len(items) < MIN_ITEMS:
        return [function(item) for item in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(function, items))
