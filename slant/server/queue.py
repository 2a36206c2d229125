"""A bounded queue in front of the model: inference runs in worker threads, never on the event loop.

Only ``workers`` calls run at once (1 by default: the Tagger serialises its forward pass anyway and more
threads would only fight over the same cores); up to ``max_waiting`` more wait their turn. Past that, callers
get :class:`QueueFull` straight away (the app answers 503 + Retry-After) instead of piling up unboundedly
while /healthz and the page stay served by the free event loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


class QueueFull(Exception):
    """Raised when ``workers + max_waiting`` calls are already admitted."""

    def __init__(self, pending: int, retry_after: int) -> None:
        super().__init__(f"{pending} requests already queued")
        self.pending = pending
        self.retry_after = retry_after


class InferenceQueue:
    """Admission control plus a thread limiter. Used from one event loop only: the counter needs no lock."""

    def __init__(self, workers: int = 1, max_waiting: int = 16) -> None:
        if workers < 1 or max_waiting < 0:
            raise ValueError(f"need workers >= 1 and max_waiting >= 0, got {workers} and {max_waiting}")
        self.workers = workers
        self.max_waiting = max_waiting
        self.pending = 0  # running + waiting
        self._limiter: anyio.CapacityLimiter | None = None  # made lazily: it must belong to the serving loop
        self._mean_seconds = 1.0  # running mean of call time, for a Retry-After that means something

    @property
    def capacity(self) -> int:
        return self.workers + self.max_waiting

    def retry_after(self) -> int:
        return max(1, math.ceil(self._mean_seconds * self.pending / self.workers))

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self.pending >= self.capacity:
            raise QueueFull(self.pending, self.retry_after())
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.workers)
        self.pending += 1
        try:
            return await anyio.to_thread.run_sync(self._timed, fn, args, limiter=self._limiter)
        finally:
            self.pending -= 1

    def _timed(self, fn: Callable[..., T], args: tuple[object, ...]) -> T:
        # Timed inside the worker thread: service time only, not the wait for the limiter.
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * (time.perf_counter() - started)
