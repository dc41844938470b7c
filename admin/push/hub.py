"""Rounds of the push fan-out.

A round reads the hall once, builds one payload per content key, compares each section's
hash with what that key's screens last got, and emits only what changed, once per key
(a Socket.IO room), with a version taken from one counter that only grows. Rounds are
triggered by commits (a session hook, so no write path can forget), by schedule and
notice boundaries, and by a slow sweep; bursts of commits coalesce into one round.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from .. import timing
from ..extensions import db, socketio
from ..models import Notice, PushCounter, PushGroup, Screen
from ..models.types import utcnow
from . import content, revocation
from . import rooms
from .rooms import VERSIONED
from .wire import Shared

log = logging.getLogger(__name__)

NAMESPACE = "/display"
# Tables whose changes can alter what a screen shows.
CONTENT_TABLES = {
    "departments", "windows", "window_service_items", "staff", "standards", "pledges", "honors", "notices",
    "screens", "screen_groups", "playlists", "schedules", "settings",
    "kiosks",  # not on screens, but the change listeners (kiosk state) want to hear of it
    # the campaign: phases and the figures behind the 三比 boards
    "campaign_phases", "skill_results", "performance_entries", "review_rounds", "reviews",
    "surveys", "wishes",  # survey results published, wishes fulfilled: on the hall screens (issue 12)
    "rating_prompts",  # a prompt open at a window: its QR code on the window screen, until rated or ended
}


class Neighbour:
    """What another feature that shows hall data (the kiosks) adds to the push hub's work; the app
    factory attaches one with ``PushHub.attach``. Its methods run in an app context."""

    def round_begins(self) -> None:
        """A round is about to build its payloads: read once here what every window screen needs."""

    def window_sections(self, window: dict | None, members: list[dict]) -> dict:
        """Sections to add to a window screen's payload."""
        return {}

    def tables_changed(self, tables: set[str]) -> None:
        """After a round: these tables changed (in any process: each hears every commit)."""

# What the 三比 boards and the campaign phase are built from: rebuilding them is most of a
# round's cost in a real hall, so a round reuses the last ones until one of these changes.
CAMPAIGN_TABLES = {
    "ratings", "rating_appeals", "campaign_phases", "skill_results", "performance_entries", "review_rounds",
    "reviews", "settings", "surveys", "wishes",
}
# The boards also name members and their departments: they are kept with the roster they were
# built for (content.roster) and rebuilt when it differs, not on every edit of a member (a post,
# going on duty, a photo), which screens show at once but the boards do not.
# The same for the satisfaction board (this month's figures from the rating rollups).
SATISFACTION_TABLES = {"ratings", "rating_appeals", "settings"}
REUSE_MAX_AGE = 60.0  # rebuilt at least once a minute: the phase, the period and schedules follow the date
# What decides which content key each screen has (besides the clock, whose boundaries have
# jobs of their own): with thousands of screens, reading them all is a round's biggest part.
SCREEN_TABLES = {"screens", "screen_groups", "playlists", "schedules", "settings"}

# Ratings (and appeals against them) change the satisfaction board and the 三比 boards:
# worth a round, but not one per rating.
SLOW_TABLES = {"ratings", "rating_appeals"}
SLOW_INTERVAL = 10.0
SWEEP_INTERVAL = 60.0
REPORTS_PER_STATEMENT = 1000  # devices' reports written by one UPDATE (flush_reports)


# Caches outside the hub that hold what some tables say (docs/ARCHITECTURE.md, "Caches"): each is
# forgotten when one of its tables changes, by a commit of this process or, told by the change
# bus, of another. Registered by the app factory.
_forgetters: list[tuple[frozenset, object]] = []


def on_change(tables: set[str], hook) -> None:
    """``hook()`` runs in every process after a commit that wrote one of ``tables`` (no app context)."""
    entry = (frozenset(tables), hook)
    if entry not in _forgetters:
        _forgetters.append(entry)


def watched_tables() -> frozenset:
    return frozenset().union(*(tables for tables, _ in _forgetters))


def forget_caches(tables: set[str] | None) -> None:
    """Run the hooks of ``tables`` (None: every hook)."""
    for watched, hook in list(_forgetters):
        if tables is None or watched & tables:
            try:
                hook()
            except Exception:  # noqa: BLE001 - one cache's failure must not keep the others stale
                log.exception("forgetting %s failed", getattr(hook, "__name__", hook))


def room_for_key(key: str) -> str:
    return f"content:{key}"


# A key's rounds number their states and patches from one counter: a screen must never be given
# an older one after a newer (admin/push/rooms.py keeps each process's deliveries in order).
VERSIONED.add((NAMESPACE, room_for_key(""), frozenset({"state", "patch"})))


def room_for_screen(screen_id: int) -> str:
    return f"screen:{screen_id}"


def hub_for(app=None) -> "PushHub":
    return (app or current_app).extensions["push_hub"]


class PushHub:
    """One per app. ``round()`` can be called directly (tests, jobs); ``wake()`` asks the worker."""

    def __init__(self, app):
        self.app = app
        app.extensions["push_hub"] = self
        self._cache: dict[str, tuple[int, dict]] = {}  # content key -> (version, sections)
        self._states: dict[str, dict] = {}  # content key -> its last state payload (state_of)
        self._read_at: dict[str, int] = {}  # content key -> rooms.breaks() when its version was last read
        self._lock = threading.Lock()
        self._round_lock = threading.RLock()
        self._event = None
        self._worker_started = False
        self._slow_pending = False
        self._round_due = False  # a change committed here (or anything, after Redis came back)
        self._last_slow = 0.0
        self._reports: dict[int, dict] = {}  # screen id -> latest ack/heartbeat, flushed in batches
        self._touched: set[str] = set()      # tables changed since the worker last looked
        # What rounds reuse, each (value..., when read): "campaign" (boards and phase, and the
        # roster they were built with), "satisfaction" (figures), "screens" (keys due, keys
        # stored), and "part:<name>" for each part of the hall's snapshot (content.PART_TABLES).
        self._kept: dict[str, tuple] = {}
        # Bumped by each invalidation: a round that read before one must not store what it read
        # (on PostgreSQL its queries yield, and a wake or another process's change can come between).
        self._generation = {name: 0 for name in ("campaign", "satisfaction", "screens",
                                                 *(f"part:{part}" for part in content.PART_TABLES))}
        self._digests: dict[int, tuple] = {}  # id(section value) -> (value, digest): unchanged parts hash once
        self.rounds = 0
        self.parts: dict[str, float] = {}  # the last round's parts, ms (admin.timing)
        self._asked_at: float | None = None  # wall clock of the first wake since the last round
        self._asked_for: set[str] = set()  # tables of the wakes since the last round (admin.timing)
        self.newest_version = 0  # the highest version this process has emitted or seen
        self.neighbours: list[Neighbour] = []  # attached by the app factory (attach)
        self.bus = None  # other server processes' commits, when several share the database
        url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
        if url and str(url).startswith(("redis://", "rediss://", "unix://")) and app.config.get("PUSH_WORKER", True):
            from .changes import ChangeBus

            self.bus = ChangeBus(url, self.heard, revocation.revoke)

    def attach(self, neighbour: Neighbour) -> None:
        """Let ``neighbour`` add to window screens and hear of changes (the app factory calls this)."""
        self.neighbours.append(neighbour)

    # -- triggering ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker (and the listening to other processes) now rather than at the first commit."""
        if self.app.config.get("PUSH_WORKER", True):
            self._ensure_worker()

    def heard(self, tables: set[str] | None) -> None:
        """Another process committed changes to ``tables`` (None: anything may have changed)."""
        from ..ledger import autoopen

        forget_caches(tables)
        if tables is None:
            self._read_at.clear()
            for name in self._generation:
                self._forget(name)
            autoopen.forget_defaults()
            self.wake(tables=set(CONTENT_TABLES))
            return
        if tables & autoopen.DEFAULTS_TABLES:
            autoopen.forget_defaults()
        # No round here: the process that committed runs it for every screen, and its patches
        # reach this process's screens through the queue. A round here too would push again
        # whatever this process's own caches hold (four processes, four patches per edit, the
        # boards of each process's last read). The caches go; the listeners (kiosks) here hear of it.
        self.changed(tables, round=False)

    def changed(self, tables: set[str], tell: bool = True, round: bool = True) -> None:
        """Committed changes to ``tables``: a round now for content, a slow one for ratings. A rating
        that used a prompt is both: the prompt leaves its window screen now, while the boards and
        figures the rating changes wait for the slow round (a burst of prompted ratings must not
        rebuild them once each)."""
        if tables & SLOW_TABLES:
            self.wake(slow=True)
        if tables & CONTENT_TABLES:
            self.wake(tables=tables - SLOW_TABLES, tell=tell, round=round)

    def wake(self, slow: bool = False, tables: set[str] | None = None, tell: bool = True,
             round: bool = True) -> None:
        # With the worker running, what ratings change is forgotten when the slow round is due (_run);
        # rounds called directly (tests, jobs) see it at once.
        forget_now = slow and not self._worker_started
        if forget_now or (tables and tables & CAMPAIGN_TABLES):
            self._forget("campaign")
        if forget_now or (tables and tables & SATISFACTION_TABLES):
            self._forget("satisfaction")
        if tables and tables & SCREEN_TABLES:
            self._forget("screens")
        for part, read_from in content.PART_TABLES.items():
            if tables and tables & read_from:
                self._forget(f"part:{part}")
        if not self.app.config.get("PUSH_WORKER", True):
            return
        if tell:
            self._touched |= tables or set()
        if slow:
            self._slow_pending = True
        else:
            self._ensure_worker()
            if round:
                if self._asked_at is None:
                    self._asked_at = time.time()
                self._asked_for |= tables or {"*"}
                self._round_due = True
            self._event.set()

    def _ensure_worker(self) -> None:
        if self._worker_started:
            return
        with self._lock:
            if self._worker_started:
                return
            self._event = socketio.server.eio.create_event()
            if self.bus is not None:
                try:
                    self.bus.subscribe()  # before the first round fills anything a change could stale
                except Exception as exc:  # noqa: BLE001 - the listener keeps trying by itself
                    log.warning("cannot listen for other processes' changes yet: %s", exc)
                socketio.start_background_task(self.bus.listen, socketio.sleep)
                socketio.start_background_task(self.bus.send_forever, socketio.sleep)
            socketio.start_background_task(self._run)
            self._worker_started = True

    def _run(self) -> None:
        timed = timing.enabled(self.app)
        last_sweep = time.monotonic()
        while True:
            self._event.wait(timeout=2.0)
            self._event.clear()
            round_due, self._round_due = self._round_due, False
            now = time.monotonic()
            slow_due = self._slow_pending and now - self._last_slow >= SLOW_INTERVAL
            if slow_due and not round_due and self.bus is not None and not self.bus.take_turn("slow-round", SLOW_INTERVAL):
                # Ratings reach every process, and each would push the boards every interval: one
                # per province does, and its patch reaches this process's screens through the
                # queue (what came in here after it is in the next one, or the minute's sweep).
                # What this process holds of them is older than that patch now: read again when a
                # round here needs them (an edit here), or its screens would be shown older boards.
                self._slow_pending, self._last_slow, slow_due = False, now, False
                self._forget("campaign")
                self._forget("satisfaction")
            sweep_due = now - last_sweep >= SWEEP_INTERVAL
            if sweep_due and not (round_due or slow_due) and self.bus is not None \
                    and not self.bus.take_turn("sweep", SWEEP_INTERVAL):
                # One sweep a minute in the province is enough (its patches reach every screen); with
                # Redis away every process sweeps.
                last_sweep, sweep_due = now, False
            try:
                with self.app.app_context():
                    if round_due or slow_due or sweep_due:
                        if slow_due:
                            self._slow_pending, self._last_slow = False, now
                            self._forget("campaign")
                            self._forget("satisfaction")
                        if sweep_due:
                            last_sweep = now
                        asked, self._asked_at = self._asked_at, None
                        why, self._asked_for = self._asked_for, set()
                        began = time.time()
                        self.round()
                        # The round only queued its patches: let the sockets' writers send them
                        # before the listeners (kiosks) and the reports take the loop.
                        socketio.sleep(0)
                        # Taken after the round: a round that fails leaves them for the next turn.
                        touched, self._touched = self._touched, set()
                        heard = time.perf_counter()
                        if touched:
                            self.tell_listeners(touched)
                        if timed:
                            why = sorted(why) + ["slow"] * slow_due + ["sweep"] * sweep_due
                            timing.log_round({"asked": (asked or began) * 1000, "began": began * 1000, **self.parts,
                                              "listeners": (time.perf_counter() - heard) * 1000}, ",".join(why))
                    elif self._touched:
                        # Another process's change: its round pushed it to the screens; the kiosks
                        # held here are this process's to tell.
                        touched, self._touched = self._touched, set()
                        self.tell_listeners(touched)
                    self.flush_reports()
            except Exception:  # noqa: BLE001 - the worker must outlive any one bad round
                log.exception("push round failed")
                with self.app.app_context():
                    db.session.rollback()
            finally:
                with self.app.app_context():
                    db.session.remove()

    # -- the round ----------------------------------------------------------------------------

    def round(self, now: datetime | None = None, fresh: bool = False) -> dict:
        """Compute and emit what changed; returns {content key: version} for the keys it pushed.

        Boards and screens' keys read by earlier rounds are reused until what they are built
        from changes (``wake``) or a minute has passed. ``fresh`` reads everything again: for a
        boundary of the clock, or a screen this process has not seen yet. ``now`` is for tests
        with a clock of their own, and is always fresh."""
        # SQLite has no row locks: within a process rounds take turns here; across processes
        # (PostgreSQL) the counter row's lock below does it.
        with self._round_lock:
            return self._round(now or utcnow(), reuse=not fresh and now is None, keep=now is None)

    def _cached(self, name: str, reuse: bool):
        cached = self._kept.get(name)
        if reuse and cached is not None and time.monotonic() - cached[-1] < REUSE_MAX_AGE:
            return cached
        return None

    def _forget(self, name: str) -> None:
        with self._lock:  # the listener of other processes' changes may be a thread of its own
            self._kept.pop(name, None)
            self._generation[name] += 1

    def _keep(self, name: str, value: tuple, generation: int) -> None:
        """Remember ``value`` unless ``name`` was invalidated since ``generation`` was read."""
        with self._lock:
            if self._generation[name] == generation:
                self._kept[name] = value

    def _screen_keys(self, snap, now: datetime, reuse: bool, keep: bool) -> tuple[dict, dict]:
        """({screen id: content key due now}, {screen id: content key stored on its row})."""
        cached = self._cached("screens", reuse)
        if cached is not None:
            return cached[0], cached[1]
        generation = self._generation["screens"]
        # Plain rows, not ORM objects: a province's thousands of screens are read here.
        rows = db.session.execute(select(Screen.id, Screen.kind, Screen.window_id, Screen.group_id,
                                         Screen.playlist_id, Screen.content_key)).all()
        keys = content.content_keys([tuple(row)[:5] for row in rows], snap.playlists, now)
        stored = {row[0]: row[5] for row in rows}
        if keep:
            self._keep("screens", (keys, stored, time.monotonic()), generation)
        return keys, stored

    def _round(self, now: datetime, reuse: bool = True, keep: bool = True) -> dict:
        clock = time.perf_counter()
        session = db.session
        # Taking the counter first serialises rounds across processes (row lock / SQLite write lock).
        counter = session.execute(select(PushCounter).where(PushCounter.id == 1).with_for_update()).scalar_one_or_none()
        if counter is None:
            # The first round ever: several processes may get here at once; one row wins.
            _create_counter(session.connection())
            counter = session.execute(select(PushCounter).where(PushCounter.id == 1).with_for_update()).scalar_one()
        campaign, satisfaction = self._cached("campaign", reuse), self._cached("satisfaction", reuse)
        generations = dict(self._generation)
        reused = {part: cached[0] for part in content.PART_TABLES
                  if (cached := self._cached(f"part:{part}", reuse)) is not None}
        snap = content.snapshot(now, campaign=campaign and campaign[:2], satisfaction=satisfaction and satisfaction[0],
                                parts=reused)
        if keep:
            if campaign is None or snap.campaign is not campaign[0]:
                self._keep("campaign", (snap.campaign, snap.roster, time.monotonic()), generations["campaign"])
            if satisfaction is None:
                self._keep("satisfaction", (snap.satisfaction, time.monotonic()), generations["satisfaction"])
            for part, value in snap.parts.items():
                if part not in reused:
                    self._keep(f"part:{part}", (value, time.monotonic()), generations[f"part:{part}"])
        keys, stored = self._screen_keys(snap, now, reuse, keep)
        groups = {g.key: g for g in session.scalars(select(PushGroup))}
        read = time.perf_counter()
        moved = {sid for sid, key in keys.items() if stored.get(sid) != key}
        moved_into = {keys[sid] for sid in moved}
        new_screens = {sid for sid in moved if not stored.get(sid)}  # in no content room yet

        outgoing = []  # (key, event, payload) emitted after commit
        version = None
        digests: dict[int, tuple] = {}
        for neighbour in self.neighbours:
            neighbour.round_begins()
        for key in sorted(set(keys.values())):
            sections = content.build(key, snap, self.neighbours)
            digest = content.digest(sections, self._digests, digests)
            group = groups.get(key)
            full = group is None or key in moved_into
            changed = [name for name in digest if group is None or group.digest.get(name) != digest[name]]
            removed = [] if group is None else [name for name in group.digest if name not in digest]
            if not (full or changed or removed):
                self._cache.setdefault(key, (group.version, sections))
                continue
            if version is None:
                counter.version += 1
                version = counter.version
            if group is None:
                group = PushGroup(key=key, version=version, digest=digest)
                session.add(group)
                base = None
            else:
                base = group.version
                group.version, group.digest = version, digest
            self._cache[key] = (version, sections)
            if full or base is None:
                outgoing.append((key, "state", {"version": version, "sections": sections}))
            else:
                outgoing.append((key, "patch", {"version": version, "base": base,
                                                "sections": {n: sections[n] for n in changed}, "removed": removed}))
        for screen_id in moved:
            session.execute(update(Screen).where(Screen.id == screen_id).values(content_key=keys[screen_id]))
        if version is not None and snap.urgent:
            session.execute(update(Notice).where(Notice.id.in_([n["id"] for n in snap.urgent]),
                                                 Notice.pushed_version.is_(None)).values(pushed_version=version))
        session.info["push_internal"] = True
        if keep:
            self._digests = digests
        built = time.perf_counter()
        session.commit()
        committed = time.perf_counter()
        stored.update((sid, keys[sid]) for sid in moved)
        self.rounds += 1
        self.newest_version = max(self.newest_version, counter.version)
        for key, name, payload in outgoing:
            socketio.emit(name, payload, to=room_for_key(key), namespace=NAMESPACE)
        for screen_id in moved - new_screens:
            # Its socket sits in the old key's room; the page says hello again and is moved there.
            socketio.emit("rejoin", {}, to=room_for_screen(screen_id), namespace=NAMESPACE)
        self.parts = {"read": (read - clock) * 1000, "build": (built - read) * 1000,
                      "commit": (committed - built) * 1000, "emit": (time.perf_counter() - committed) * 1000}
        return {key: payload["version"] for key, _name, payload in outgoing}

    def state_for(self, screen: Screen) -> tuple[str, dict]:
        """(content key, full ``state`` payload) for a screen that (re)connects."""
        key = screen.content_key
        state = self.state_of(key) if key else None
        if state is None:
            self.round(fresh=True)  # it may have been added by another process
            db.session.refresh(screen)
            key = screen.content_key
            state = self.state_of(key)
        return key, state

    def state_of(self, key: str) -> dict | None:
        """The full ``state`` payload of a content key, as the database has its version now
        (None: no round has made that key). The same object for every screen that connects while
        the version holds: it is encoded once for all of them (push.wire.Shared)."""
        breaks = rooms.breaks(socketio.server and socketio.server.manager)  # before the read: a break during it makes the read doubtful
        version = db.session.scalar(select(PushGroup.version).where(PushGroup.key == key))
        if version is None:
            return None
        if breaks is not None:
            self._read_at[key] = breaks
        self.newest_version = max(self.newest_version, version)
        state = self._states.get(key)
        if state is not None and state["version"] == version:
            return state
        cached = self._cache.get(key)
        if cached is None or cached[0] != version:
            # Another process ran the last round: rebuild this key's payload here.
            for neighbour in self.neighbours:
                neighbour.round_begins()
            sections = content.build(key, content.snapshot(), self.neighbours)
            cached = (version, sections)
            self._cache[key] = cached
        state = Shared(version=cached[0], sections=cached[1])
        self._states[key] = state
        return state

    def held_state(self, key: str) -> dict | None:
        """``key``'s state as this process holds it, when it is known to be current without asking
        the database (None: ask, state_of): every round's emits reach every process, and since
        this state's version was read here none newer has been given to the key's room and the
        message queue has not stopped listening. A screen that entered the room before this gets
        any later version by the room (rooms.hold/release): a reconnect storm of thousands of
        screens reads nothing but their rows."""
        state = self._states.get(key)
        if state is None or socketio.server is None:
            return None
        manager = socketio.server.manager
        breaks = rooms.breaks(manager)
        if breaks is None or self._read_at.get(key) != breaks:
            return None
        if rooms.newest(manager, NAMESPACE, room_for_key(key)) > state["version"]:
            return None
        return state

    def version_of(self, key: str) -> int:
        """The newest version pushed to ``key``'s screens, as the database has it now."""
        return db.session.scalar(select(PushGroup.version).where(PushGroup.key == key)) or 0

    def tell_listeners(self, tables: set[str]) -> None:
        for neighbour in self.neighbours:
            try:
                neighbour.tables_changed(tables)
            except Exception:  # noqa: BLE001 - one neighbour's failure must not stop the others
                log.exception("%s failed to hear of a change", type(neighbour).__name__)
                db.session.rollback()

    # -- what screens report ------------------------------------------------------------------

    def report(self, model, device_id: int, **fields) -> None:
        """Note what a screen or a kiosk (``model``) says of itself: an ack, a heartbeat, its
        queue. Written in batches, so a thousand heartbeats are one transaction; monitoring only,
        it starts no push round. It was last seen when its batch is written (within seconds)."""
        self._reports.setdefault((model, device_id), {}).update(fields)
        if self._worker_started:
            return
        if has_app_context():
            self.flush_reports()
            return
        with self.app.app_context():  # a screen's ack comes without one (display.events)
            self.flush_reports()

    def flush_reports(self) -> int:
        if not self._reports:
            return 0
        reports, self._reports = self._reports, {}
        # One UPDATE per table and set of values: after a push every screen acks the same version
        # (a province's thousands in one statement, not one each), so the loop is not held up
        # while patches are due. Rows in id order: two processes' batches never wait crosswise.
        seen_at = utcnow()
        alike: dict[tuple, list[int]] = {}
        for (model, device_id), fields in reports.items():
            # Reports are scalars (a version, a slide's name, a count, a flag): comparable as a whole.
            alike.setdefault((model, tuple(sorted(fields.items()))), []).append(device_id)
        for (model, values), ids in alike.items():
            # Core, not the ORM's bulk update by key: a device deleted meanwhile (by another process,
            # too) just matches no row, where the ORM would fail the whole batch as stale.
            table = model.__table__
            columns = dict(values)
            ids.sort()
            for first in range(0, len(ids), REPORTS_PER_STATEMENT):
                db.session.execute(update(table).where(table.c.id.in_(ids[first:first + REPORTS_PER_STATEMENT]))
                                   .values(last_seen_at=seen_at, **columns))
        db.session.commit()
        return len(reports)


def _create_counter(bind) -> None:
    """INSERT the push counter's row unless another process has just done so."""
    from sqlalchemy.dialects import postgresql, sqlite

    name = bind.dialect.name
    if name in ("postgresql", "sqlite"):
        dialect = postgresql if name == "postgresql" else sqlite
        bind.execute(dialect.insert(PushCounter.__table__).values(id=1, version=0).on_conflict_do_nothing())
        return
    from sqlalchemy.exc import IntegrityError

    try:
        with bind.begin_nested():
            bind.execute(PushCounter.__table__.insert().values(id=1, version=0))
    except IntegrityError:
        pass  # made by another process a moment ago


# -- noticing commits -------------------------------------------------------------------------

@event.listens_for(Session, "after_flush")
def _note_tables(session, flush_context):
    touched = session.info.setdefault("push_tables", set())
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table:
            touched.add(table)
    revocation.noticed(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    touched = session.info.pop("push_tables", set())
    revoked = session.info.pop("revoked", set())
    if session.info.pop("push_internal", False):
        return  # the round's own bookkeeping
    if revoked:
        # Before anything else: a revoked device or user must not get one more push.
        revocation.revoke(revoked)
    if touched:
        forget_caches(touched)
    if not has_app_context() or "push_hub" not in current_app.extensions:
        return
    hub = current_app.extensions["push_hub"]
    if hub.bus is not None:
        from ..ledger.autoopen import DEFAULTS_TABLES

        shared = touched & (CONTENT_TABLES | CAMPAIGN_TABLES | SATISFACTION_TABLES | SCREEN_TABLES | SLOW_TABLES
                            | DEFAULTS_TABLES | watched_tables())
        if shared or revoked:
            hub.bus.publish(shared, slow_only=bool(shared) and shared <= SLOW_TABLES and not revoked, revoked=revoked)
    hub.changed(touched)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("push_tables", None)
    session.info.pop("revoked", None)
    session.info.pop("push_internal", None)
