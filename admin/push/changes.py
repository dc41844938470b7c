"""Telling the other server processes which tables a commit changed, over Redis.

With several processes on one database (README, "Scaling out"), each keeps what its push rounds
and the ledger reuse (screens' content keys, the 三比 boards, the satisfaction figures, a new
ledger entry's defaults) until those tables change. A process sees its own commits; this says
the others' to it. Each commit that changes anything is published on one channel as
``{"origin": <process>, "tables": [...]}``; every other process forgets what those tables
decided and runs a round, which also corrects anything it pushed from what it knew a moment
before (rounds take turns on the push counter's row lock, so the newest round wins).

Ratings alone are published at most once per ``SLOW_PUBLISH`` seconds: at hundreds a second they
would flood the channel, and what they feed (the satisfaction board) is refreshed slowly anyway.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid

log = logging.getLogger(__name__)

CHANNEL = "liangbiping:changes"
ORIGIN = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
SLOW_PUBLISH = 2.0


class ChangeBus:
    """One per app when a message queue (Redis) is configured."""

    def __init__(self, url: str, heard):
        import redis

        self._redis = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        self._heard = heard  # callable(set of table names), called for other processes' commits
        self._pubsub = None
        self._slow: set[str] = set()
        self._slow_since = 0.0

    # -- publishing -----------------------------------------------------------------------------

    def publish(self, tables: set[str], slow_only: bool = False) -> None:
        if slow_only:
            self._slow |= tables
            if time.monotonic() - self._slow_since < SLOW_PUBLISH:
                return
        tables = tables | self._slow
        self._slow, self._slow_since = set(), time.monotonic()
        self._send(tables)

    def flush(self) -> None:
        """Publish ratings held back by ``publish(slow_only=True)`` (the push worker calls this)."""
        if self._slow and time.monotonic() - self._slow_since >= SLOW_PUBLISH:
            self.publish(set())

    def _send(self, tables: set[str]) -> None:
        import redis

        try:
            self._redis.publish(CHANNEL, json.dumps({"origin": ORIGIN, "tables": sorted(tables)}))
        except redis.RedisError as exc:
            # The commit stands; other processes catch up within a minute (the caches' max age).
            log.warning("could not tell the other processes of a change (%s): %s", sorted(tables), exc)

    # -- listening ------------------------------------------------------------------------------

    def subscribe(self) -> None:
        """Subscribe now, so that nothing published from here on is missed; ``listen`` reads."""
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(CHANNEL)

    def listen(self, sleep) -> None:
        """Read the channel for ever (a background task), reconnecting after a failure."""
        import redis

        while True:
            try:
                if self._pubsub is None:
                    self.subscribe()
                    self._heard(None)  # anything may have changed while we were away
                message = self._pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                data = json.loads(message["data"])
                if data.get("origin") != ORIGIN:
                    self._heard(set(data.get("tables") or ()))
            except (redis.RedisError, OSError) as exc:
                log.warning("listening for other processes' changes failed, retrying: %s", exc)
                self._pubsub = None
                sleep(1.0)
            except Exception:  # noqa: BLE001 - a bad message must not stop the listening
                log.exception("a change message could not be handled")
