"""What the ledger knows about open drifts without reading them (``ledger.open_keys``): a
listing answers "no drift is open there" for findings that cannot open one, while it is fresh,
and never for keys this ledger object created since."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ledger.conftest import LedgerFactory
from tests.ledger.ledger_support import CountingStorage, add, make_engine, record_one, remove
from tfdrift_gitops.core.engine import Skip
from tfdrift_gitops.core.fold import FoldResult
from tfdrift_gitops.errors import LedgerError
from tfdrift_gitops.ledger import StoredLedger
from tfdrift_gitops.ledger.open_keys import LIST_PAGE, OpenKeys


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Listings:
    """The open keys a storage would list, and how many times it was asked."""

    def __init__(self, *keys: str) -> None:
        self.keys = list(keys)
        self.count = 0
        self.fail = False

    def __call__(self) -> Iterator[str]:
        self.count += 1
        if self.fail:
            raise LedgerError("listing failed")
        return iter(list(self.keys))


def test_a_fresh_listing_answers_and_a_key_made_since_is_never_absent() -> None:
    clock, listings = Clock(), Listings("open/a.json")
    known = OpenKeys(listings, max_age=30, clock=clock)
    assert known.absent("open/b.json")  # the first question lists
    assert not known.absent("open/a.json")
    known.noted("open/c.json")  # this object creates it after the listing
    assert not known.absent("open/c.json")
    clock.now += 30
    assert known.absent("open/b.json")
    assert listings.count == 1


def test_a_stale_listing_is_renewed_and_sees_what_others_opened() -> None:
    clock, listings = Clock(), Listings()
    known = OpenKeys(listings, max_age=30, clock=clock)
    assert known.absent("open/x.json")
    listings.keys.append("open/x.json")  # another writer opens it
    clock.now += 30.5
    assert not known.absent("open/x.json")
    assert listings.count == 2


def test_a_key_made_while_listing_survives_the_listing() -> None:
    clock = Clock()
    known: OpenKeys

    def listing_that_races() -> Iterator[str]:
        known.noted("open/raced.json")  # created after the LIST already ran
        return iter(())

    known = OpenKeys(listing_that_races, max_age=30, clock=clock)
    assert not known.absent("open/raced.json")
    assert known.absent("open/other.json")


def test_a_failed_listing_raises_and_forgets_nothing() -> None:
    clock, listings = Clock(), Listings()
    known = OpenKeys(listings, max_age=30, clock=clock)
    known.noted("open/mine.json")
    listings.fail = True
    with pytest.raises(LedgerError):
        known.absent("open/other.json")
    listings.fail = False
    assert not known.absent("open/mine.json")
    assert known.absent("open/other.json")


def test_a_failed_listing_leaves_no_listing_to_trust() -> None:
    clock, listings = Clock(), Listings()
    known = OpenKeys(listings, max_age=30, clock=clock)
    assert known.absent("open/x.json")
    listings.keys.append("open/x.json")  # another writer opens it
    listings.fail = True
    with pytest.raises(LedgerError):
        known.listing()  # asked to look again: the older listing is not trusted
    listings.fail = False
    assert not known.absent("open/x.json")  # listed again, and seen


@pytest.mark.parametrize(
    ("open_drifts", "reads_before_listing"),
    [
        pytest.param(10, 0, id="one-page"),
        pytest.param(2 * LIST_PAGE + 5, 2, id="three-pages"),
    ],
)
def test_a_stale_listing_is_renewed_only_once_that_pays(
    open_drifts: int, reads_before_listing: int
) -> None:
    clock, listings = Clock(), Listings(*(f"open/{n}.json" for n in range(open_drifts)))
    known = OpenKeys(listings, max_age=30, clock=clock)
    assert known.absent("open/new.json")
    clock.now += 31
    answers = [known.absent("open/new.json") for _ in range(reads_before_listing + 1)]
    # A listing of three pages costs three requests: two reads are cheaper, the third pays.
    assert answers == [False] * reads_before_listing + [True]
    assert listings.count == 2


def test_max_age_zero_always_reads() -> None:
    listings = Listings()
    known = OpenKeys(listings, max_age=0, clock=Clock())
    assert not known.absent("open/x.json")
    assert listings.count == 0


# --------------------------------------------------------------------------- in the ledger


def test_terraform_calls_without_open_drift_cost_one_listing_not_a_read_each(
    ledger: StoredLedger,
) -> None:
    engine = make_engine()
    opened = record_one(ledger, engine, add(4, "1.2.3.4/32"))  # one open drift
    assert opened.result is FoldResult.OPENED
    counting = CountingStorage(ledger.storage)
    quiet = StoredLedger(counting)
    first = record_one(quiet, engine, remove(0, "1.2.3.4/32", terraform=True))
    assert (first.result, first.skip) == (FoldResult.NOT_DRIFT, Skip.TRUSTED)
    # The layout marker (read once per ledger object) and one listing of open/.
    assert counting.calls == {"get": 1, "list": 1}
    counting.calls.clear()
    for i in (n for n in range(1, 20) if n != 4):
        folded = record_one(quiet, engine, remove(i, "1.2.3.4/32", seconds=i, terraform=True))
        assert (folded.result, folded.skip) == (FoldResult.NOT_DRIFT, Skip.TRUSTED)
    assert counting.calls == {}
    # The one resource with an open drift is still read, and Terraform's call resolves it.
    resolved = record_one(quiet, engine, remove(4, "1.2.3.4/32", seconds=60, terraform=True))
    assert resolved.result is FoldResult.RESOLVED


@pytest.mark.parametrize(
    "who_opened",
    [
        pytest.param("before-the-listing", id="another-writer-before-the-listing"),
        pytest.param("this-object-after-the-listing", id="this-object-after-the-listing"),
    ],
)
def test_a_terraform_revert_still_resolves_an_open_drift(
    make_ledger: LedgerFactory, who_opened: str
) -> None:
    engine = make_engine()
    writer, reader = make_ledger(), make_ledger()
    if who_opened == "before-the-listing":
        record_one(writer, engine, add(7, "1.2.3.4/32", seconds=1))
        record_one(reader, engine, remove(8, "1.2.3.4/32", seconds=2, terraform=True))  # lists
    else:
        record_one(reader, engine, remove(8, "1.2.3.4/32", seconds=2, terraform=True))  # lists
        record_one(reader, engine, add(7, "1.2.3.4/32", seconds=3))
    resolved = record_one(reader, engine, remove(7, "1.2.3.4/32", seconds=60, terraform=True))
    assert resolved.result is FoldResult.RESOLVED
    assert reader.list_open().drifts == ()


def test_with_no_listing_age_a_writer_opening_after_a_listing_is_seen(
    make_ledger: LedgerFactory,
) -> None:
    engine = make_engine()
    writer = make_ledger()
    reader = StoredLedger(make_ledger().storage, open_listing_max_age=0)
    record_one(reader, engine, remove(8, "1.2.3.4/32", seconds=1, terraform=True))
    record_one(writer, engine, add(7, "1.2.3.4/32", seconds=2))
    resolved = record_one(reader, engine, remove(7, "1.2.3.4/32", seconds=60, terraform=True))
    assert resolved.result is FoldResult.RESOLVED


def test_refreshing_the_listing_sees_what_another_writer_opened(
    make_ledger: LedgerFactory,
) -> None:
    """A collector in SQS mode lists before each log file: a drift another replica opened
    before the file came is resolved by Terraform's call in it."""
    engine = make_engine()
    writer, reader = make_ledger(), make_ledger()
    record_one(reader, engine, remove(8, "1.2.3.4/32", seconds=1, terraform=True))  # lists
    record_one(writer, engine, add(7, "1.2.3.4/32", seconds=2))
    reader.refresh_open_listing()
    resolved = record_one(reader, engine, remove(7, "1.2.3.4/32", seconds=60, terraform=True))
    assert resolved.result is FoldResult.RESOLVED
