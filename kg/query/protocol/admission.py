"""Admission for queries from outside: no client may hold more than its share of the query workers.

Two rules per client (an address, or what a trusted proxy says it is), as WDQS and QLever do:

* **concurrency**: at most ``per_client`` of its queries run at once; one more is refused at once
  (429, ``Retry-After: 1``) instead of waiting for a worker it would take from others;
* **time budget**: its queries may use ``budget`` seconds of worker time per ``window`` seconds
  (sliding); past it, 429 with ``Retry-After`` saying when enough of the window has passed.

With the pool's short queue wait (:class:`kg.query.protocol.sandbox.QueryPool` ``max_wait``: 503 with
``Retry-After`` when every worker stays busy), a client sending runaway queries costs others at most
a fast refusal, never a 10-second wait holding a server thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kg.errors import ClientOverLimit

__all__ = ["Admission"]


class Admission:
    """Per-client concurrency limits and time budgets, thread-safe."""

    def __init__(self, per_client: int = 1, budget: float = 30.0, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_client < 1 or budget <= 0 or window <= 0:
            raise ValueError("per_client must be ≥ 1, budget and window > 0")
        self.per_client = per_client
        self.budget = budget
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, int] = defaultdict(int)
        self._spent: dict[str, deque[tuple[float, float]]] = defaultdict(deque)
        self._totals: dict[str, float] = defaultdict(float)
        """The sum of each client's window, kept as entries come and go (a sum per query grew with the rate)."""

    def spent(self, client: str) -> float:
        """Seconds of query time ``client`` used in the current window."""
        with self._lock:
            return self._spent_locked(client, self._clock())

    def _spent_locked(self, client: str, now: float) -> float:
        used = self._spent.get(client)
        if used is None:
            return 0.0
        while used and used[0][0] <= now - self.window:
            self._totals[client] -= used.popleft()[1]
        if not used:
            del self._spent[client]
            self._totals.pop(client, None)
            return 0.0
        return max(self._totals[client], 0.0)

    @contextmanager
    def admit(self, client: str) -> Iterator[None]:
        """Run the block as one of ``client``'s queries, charging its duration to the client's budget.

        :raises ClientOverLimit: when the client already runs ``per_client`` queries or spent its budget.
        """
        now = self._clock()
        with self._lock:
            if self._running[client] >= self.per_client:
                raise ClientOverLimit(f"you already have {self._running[client]} "
                                      f"quer{'y' if self._running[client] == 1 else 'ies'} running; "
                                      f"send the next when it has finished (at most {self.per_client} at once)",
                                      retry_after=1)
            spent = self._spent_locked(client, now)
            if spent >= self.budget:
                retry = self._retry_after_locked(client, now)
                raise ClientOverLimit(f"your queries used {spent:.1f} s of query time in the last "
                                      f"{self.window:g} s (the budget is {self.budget:g} s); try again in "
                                      f"{retry} s", retry_after=retry)
            self._running[client] += 1
        started = self._clock()
        try:
            yield
        finally:
            ended = self._clock()
            with self._lock:
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]
                self._spent[client].append((ended, ended - started))
                self._totals[client] += ended - started

    def _retry_after_locked(self, client: str, now: float) -> int:
        """Whole seconds until enough of the client's spending leaves the window to be under budget."""
        used = self._spent[client]
        total = sum(seconds for _, seconds in used)
        for ended, seconds in used:
            total -= seconds
            if total < self.budget:
                return max(1, math.ceil(ended + self.window - now))
        return max(1, math.ceil(self.window))
