"""Committing kiosk ratings that arrive together in one transaction (a group commit).

On a busy server most of a rating's cost is not its row but what goes with every write: the
statement round trips, the rollups and the ledger kept in the same transaction, the commit.
When many kiosks post at once, the first request to reach ``submit`` leads: it steps aside
once (so requests already read off their sockets can join), then writes the waiting ratings
with one INSERT executed for every row, one rollup update and one commit, wakes their requests
and hands the lead to the next waiting one. Alone, a rating is not batched at all: ``submit``
says so and the caller takes its usual path.

Only the plain kiosk rating comes here (a kiosk token, no prompt): its only rule that depends
on other rows, the repeat press, is decided by the INSERT itself row by row, so it holds inside
a batch too. Anything a batch cannot store (a replayed id, a member that no longer exists)
fails the whole batch, which is rolled back; each of its requests then goes alone and gets its
own answer, in its own language.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

MAX_BATCH = 100
WAIT_LIMIT = 30.0  # a leader that never answers must not hold its followers forever


class _Pending:
    __slots__ = ("row", "done", "flagged", "alone", "lead")

    def __init__(self, row: dict):
        self.row = row
        self.done = threading.Event()
        self.flagged = None
        self.alone = False
        self.lead = False  # handed the lead: write the next batch (its own row is in it)

    def stored(self, flagged) -> None:
        self.flagged = flagged
        self.done.set()

    def go_alone(self) -> None:
        self.alone = True
        self.done.set()

    def take_lead(self) -> None:
        self.lead = True
        self.done.set()


class GroupCommit:
    """``submit(row)`` -> ``(True, flagged)`` once stored and committed with others, or
    ``(False, None)``: store it alone. ``write(rows)`` stores a batch and returns
    ``{id: flagged}``; it runs in the leader's request, on the leader's session.

    A leader writes one batch, then hands the lead to the oldest rating still waiting, so that
    no request answers later than its own batch however long the rush lasts."""

    def __init__(self, write, max_batch: int = MAX_BATCH):
        self.write = write
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []
        self._leading = False
        self.batches = 0  # batches of two or more written, for tests and benchmarks
        self.batched = 0  # ratings written in them

    def submit(self, row: dict) -> tuple[bool, object]:
        item = _Pending(row)
        with self._lock:
            self._pending.append(item)
            lead = not self._leading
            self._leading = True
        while not item.done.is_set() or item.lead:
            if lead or item.lead:
                item.lead = lead = False
                item.done.clear()
                self._lead()
                continue
            try:
                if item.done.wait(WAIT_LIMIT):
                    continue
                with self._lock:
                    if not item.lead and not item.done.is_set() and item in self._pending:
                        self._pending.remove(item)  # no leader came for it: it goes alone
                        return False, None
                if not item.lead:
                    item.done.wait()  # being written right now: its answer is moments away
            except BaseException:
                self._abandon(item)
                raise
        return (False, None) if item.alone else (True, item.flagged)

    def _abandon(self, item: _Pending) -> None:
        """A waiting request was stopped: take it out, and pass on the lead if it had it."""
        with self._lock:
            if item in self._pending:
                self._pending.remove(item)
            if item.lead:
                item.lead = False
                if self._pending:
                    self._pending[0].take_lead()
                else:
                    self._leading = False

    def _lead(self) -> None:
        batch: list[_Pending] = []
        try:
            time.sleep(0)  # under gevent: let the requests that are ready reach submit() too
            with self._lock:
                batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
            self._write(batch)
        except BaseException:
            # The leader was stopped (its request killed): nobody may be left waiting for it.
            with self._lock:
                rest, self._pending, self._leading = self._pending, [], False
            for item in batch + rest:
                if not item.done.is_set():
                    item.go_alone()
            raise
        with self._lock:
            if self._pending:
                self._pending[0].take_lead()
            else:
                self._leading = False

    def _write(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        if len(batch) == 1:
            batch[0].go_alone()  # nothing to share: the usual path is the cheaper one
            return
        try:
            flags = self.write([item.row for item in batch])
        except Exception as exc:  # noqa: BLE001 - each rating then gets its own answer alone
            log.info("a batch of %d ratings went back to one by one: %s", len(batch), exc)
            for item in batch:
                item.go_alone()
            return
        self.batches += 1
        self.batched += len(batch)
        for item in batch:
            item.stored(flags[item.row["id"]])
