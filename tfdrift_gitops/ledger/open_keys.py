"""Which open drift objects exist, as far as one ledger object can tell without reading.

Most findings cannot open a drift: Terraform's own calls, and hand-made calls that set what
state already says. They still matter when the resource has an open drift (Terraform reverting
it resolves it), so the ledger used to read ``open/<rk>.json`` for each of them: one GET per
Terraform call, thousands during an apply burst, nearly all answered "not found". A listing of
``open/`` (one LIST per 1,000 open drifts) answers the same question for every key at once.

A key is known absent when a listing no older than ``max_age`` seconds did not hold it and this
object has not created an open object there since (creations are noted before the write, so a
thread reading concurrently errs towards reading). Another writer sharing the ledger (a second
collector) may open a drift after the listing: for up to ``max_age`` seconds a finding that
cannot open a drift does not see it. So ``detect`` lists when it starts (one run), a collector
in SQS mode again before each log file it reads (what another replica recorded before the file
came is seen; there is no order between two replicas' files anyway), and a collector fed by
Falco, whose alerts may be spread over replicas one by one, reads as before (``max_age`` 0).

A stale listing is renewed only once that pays: after as many reads as the last listing took
pages (a ledger with many open drifts and few such findings keeps reading one key at a time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Final

LIST_PAGE: Final = 1000
"""Keys one LIST request returns (S3's page; a local directory's walk is cheaper still)."""
DEFAULT_MAX_AGE: Final = 30.0


class OpenKeys:
    """``absent(key)``: is there certainly no open object at ``key`` (see the module doc)?"""

    def __init__(
        self,
        list_open: Callable[[], Iterable[str]],
        *,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._list_open = list_open
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._listed: frozenset[str] | None = None
        self._listed_at = 0.0
        self._made: set[str] = set()
        """Open objects this ledger object created (or tried to) since the last listing began."""
        self._reads_while_stale = 0

    @property
    def max_age(self) -> float:
        return self._max_age

    def noted(self, key: str) -> None:
        """Before creating an open object at ``key``."""
        with self._lock:
            self._made.add(key)

    def absent(self, key: str) -> bool:
        if self._max_age <= 0:
            return False
        with self._lock:
            listed = self._listed
            if listed is not None and self._clock() - self._listed_at <= self._max_age:
                return key not in listed and key not in self._made
            pages = 1 if listed is None else len(listed) // LIST_PAGE + 1
            self._reads_while_stale += 1
            if self._reads_while_stale < pages:
                return False  # one read is cheaper than listing again
        self.listing()
        with self._lock:
            listed = self._listed
            return listed is not None and key not in listed and key not in self._made

    def listing(self) -> list[str]:
        """Lists ``open/`` now and keeps what it found; the keys listed, in the order listed
        (a scan of the open drifts lists through here, so its listing counts too)."""
        with self._lock:
            started = self._clock()
            made, self._made = self._made, set()
        # Creations noted while the listing runs stay in _made: the listing may miss them.
        try:
            found = list(self._list_open())
        except BaseException:
            with self._lock:
                self._made |= made
                self._listed = None  # asked to look again and could not: trust no older one
            raise
        keys = frozenset(found) | made
        with self._lock:
            if self._listed is None or started >= self._listed_at:
                self._listed, self._listed_at = keys, started
                self._reads_while_stale = 0
            else:  # a later listing finished first: keep it, and what this one saw made
                self._made |= made
        return found
