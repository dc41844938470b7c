"""Telling the other server processes which tables a commit changed, over Redis.

With several processes on one database (README, "Scaling out"), each keeps what its push rounds
and the ledger reuse (screens' content keys, the 三比 boards, the satisfaction figures, a new
ledger entry's defaults) until those tables change. A process sees its own commits; this says
the others' to it. Changed tables are published on one channel as
``{"origin": <process>, "tables": [...]}``; every other process forgets what those tables
decided and tells its own listeners (the kiosks it holds). It runs no round: the process that
committed runs one for every screen, and its patches reach the others' screens through the
Socket.IO queue (PushHub.heard).

Publishing never holds up a request: commits only add their tables to an outbox, and a
background task sends it (at once for content, every ``SLOW_PUBLISH`` seconds for ratings,
which come by the hundred and feed boards that are refreshed slowly anyway). When Redis is
away, the others catch up through the caches' one-minute limit, and in full when it is back.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid

log = logging.getLogger(__name__)

CHANNEL = "liangbiping:changes"
SLOW_PUBLISH = 2.0
PRESENCE_TTL = 30.0  # a process that stops saying it is present (killed) is forgotten after this
PRESENCE_CHECK = 2.0  # how long one process trusts what it read of the others' presence
TIMEOUT = 2.0  # seconds for any one Redis call: a Redis that stops answering must not freeze us


class ChangeBus:
    """One per app when a message queue (Redis) is configured."""

    def __init__(self, url: str, heard, revoke=None):
        import redis

        self._redis = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT,
                                           health_check_interval=30)
        self._heard = heard  # callable(set of table names | None), for other processes' commits
        self._revoke = revoke  # callable(set of principals), for what other processes revoked
        # Made here, not at import: processes forked after importing must not share it.
        self.origin = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pubsub = None
        self._outbox: set[str] = set()
        self._revoked: set[tuple] = set()
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._closed = threading.Event()
        self._present: dict[str, object] = {}  # name -> callable: is this process still present?
        self._said_present = 0.0
        self._seen: dict[str, tuple[float, bool]] = {}  # name -> (when read, anyone present)

    @property
    def listening(self) -> bool:
        """Subscribed: other processes' changes reach this one (caches are forgotten on them)."""
        return self._pubsub is not None and not self._closed.is_set()

    # -- publishing -----------------------------------------------------------------------------

    def publish(self, tables: set[str], slow_only: bool = False, revoked: set | None = None) -> None:
        """Note changed tables and revoked principals (admin.push.revocation); the sender sends
        them (at once unless ``slow_only``)."""
        with self._lock:
            self._outbox |= tables
            self._revoked |= revoked or set()
        if not slow_only:
            self._due.set()

    def take_turn(self, name: str, seconds: float) -> bool:
        """True for the one process that takes ``name``'s turn for the next ``seconds``. When
        Redis does not answer every process takes it: a turn taken twice costs a round, a turn
        lost would leave a board behind."""
        import redis

        try:
            return bool(self._redis.set(f"liangbiping:turn:{name}", self.origin, nx=True, px=int(seconds * 1000)))
        except (redis.RedisError, OSError):
            return True

    def keep_present(self, name: str, still) -> None:
        """Say in Redis that this process has something for ``name`` (console sockets that list
        new ratings, say) while ``still()`` is true, so that other processes know to send it."""
        import redis

        self._present[name] = still
        self._say_present(force=True)
        try:  # the others read it again now, not when what they read last is PRESENCE_CHECK old
            self._redis.publish(CHANNEL, json.dumps({"origin": self.origin, "present": name}))
        except (redis.RedisError, OSError) as exc:
            log.warning("could not tell the other processes of this one's presence for %s: %s", name, exc)

    def anyone_present(self, name: str) -> bool:
        """Whether any process (this one too) said it is present for ``name`` lately. When Redis
        does not answer: yes (a message sent for nothing costs little, one lost is lost)."""
        import redis

        now = time.monotonic()
        seen = self._seen.get(name)
        if seen is not None and now - seen[0] < PRESENCE_CHECK:
            return seen[1]
        try:
            anyone = bool(self._redis.zcount(f"liangbiping:present:{name}", time.time(), "+inf"))
        except (redis.RedisError, OSError):
            anyone = True
        self._seen[name] = (now, anyone)
        return anyone

    def _say_present(self, force: bool = False) -> None:
        import redis

        now = time.monotonic()
        if not force and now - self._said_present < PRESENCE_TTL / 3:
            return
        self._said_present = now
        for name, still in list(self._present.items()):
            key = f"liangbiping:present:{name}"
            try:
                if still():
                    self._redis.zadd(key, {self.origin: time.time() + PRESENCE_TTL})
                else:
                    self._redis.zrem(key, self.origin)
                self._redis.zremrangebyscore(key, "-inf", time.time())  # the killed ones
            except (redis.RedisError, OSError) as exc:
                log.warning("could not say this process's presence for %s: %s", name, exc)

    def close(self) -> None:
        """Stop the sender and the listener (tests; a server process simply ends)."""
        self._closed.set()
        self._due.set()

    def send_forever(self, sleep) -> None:
        """The sender (a background task)."""
        while not self._closed.is_set():
            self._due.wait(SLOW_PUBLISH)
            self._due.clear()
            with self._lock:
                tables, self._outbox = self._outbox, set()
                revoked, self._revoked = self._revoked, set()
            if tables or revoked:
                self._send(tables, revoked)
            if self._present:
                self._say_present()

    def _send(self, tables: set[str], revoked: set | None = None) -> None:
        import redis

        message = {"origin": self.origin, "tables": sorted(tables)}
        if revoked:
            message["revoked"] = sorted([list(p) for p in revoked], key=str)
        try:
            self._redis.publish(CHANNEL, json.dumps(message))
        except (redis.RedisError, OSError) as exc:
            # The commit stands; the others catch up within a minute (the caches' max age), and
            # in full when we are heard again (the listener's reconnect forgets everything).
            log.warning("could not tell the other processes of a change (%s): %s", sorted(tables), exc)

    # -- listening ------------------------------------------------------------------------------

    def subscribe(self) -> None:
        """Subscribe now, so that nothing published from here on is missed; ``listen`` reads."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        self._pubsub = pubsub  # only once subscribed: a failed attempt is retried by ``listen``

    def listen(self, sleep) -> None:
        """Read the channel for ever (a background task), reconnecting after a failure."""
        import redis

        while not self._closed.is_set():
            try:
                if self._pubsub is None:
                    self.subscribe()
                    self._heard(None)  # anything may have changed while we were not listening
                message = self._pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                data = json.loads(message["data"])
                if data.get("origin") != self.origin:
                    revoked = {tuple(p) for p in data.get("revoked") or () if isinstance(p, list) and len(p) == 2}
                    if revoked and self._revoke is not None:
                        self._revoke(revoked)
                    if data.get("tables"):
                        self._heard(set(data["tables"]))
                    if isinstance(data.get("present"), str):
                        self._seen.pop(data["present"], None)
            except (redis.RedisError, OSError) as exc:
                log.warning("listening for other processes' changes failed, retrying: %s", exc)
                self._pubsub = None
                sleep(1.0)
            except Exception:  # noqa: BLE001 - a bad message must not stop the listening
                log.exception("a change message could not be handled")
