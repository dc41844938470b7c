"""Rate limits: token buckets per key (a kiosk, an address, a socket), in this process.

One kind of limiter for every place that needs one: the rating intake, the pairing pages, the
screens' and kiosks' sockets, the receipt page. With several server processes each keeps its own
buckets, so the effective limit is the limit times the processes: enough to stop a stuck button, a
script or a flood. A limit that is a setting (admin/config.py) is written ``"capacity/per_second"``
(``"12/0.1"``: twelve at once, then one every ten seconds); capacity 0 turns it off (benchmarks).
"""

from __future__ import annotations

import logging
import math
import threading
import time

log = logging.getLogger(__name__)


def _clock() -> float:
    """The buckets' clock (tests move it instead of sleeping)."""
    return time.monotonic()


class TokenBuckets:
    """``capacity`` tokens per key, refilled at ``per_second``; a request takes one."""

    def __init__(self, capacity: float, per_second: float, max_keys: int = 50_000):
        self.capacity, self.per_second, self.max_keys = capacity, per_second, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, capacity: float | None = None, per_second: float | None = None) -> float:
        """0 when allowed, else the seconds to wait. ``capacity`` 0 turns the limit off (benchmarks);
        ``capacity`` and ``per_second`` override the limiter's own for this call (configured limits)."""
        capacity = self.capacity if capacity is None else capacity
        per_second = self.per_second if per_second is None else per_second
        if capacity <= 0:
            return 0.0
        now = _clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > self.max_keys:
                    self._prune(now, capacity, per_second)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / per_second if per_second > 0 else 60.0

    def allows(self, key: str) -> bool:
        return self.take(key) == 0

    def forget(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _prune(self, now: float, capacity: float, per_second: float) -> None:
        """Drop the keys whose buckets are full again: they are as good as new."""
        full_after = capacity / per_second if per_second > 0 else 3600
        for key, (_tokens, last) in list(self._buckets.items()):
            if now - last > full_after:
                del self._buckets[key]


def parse_limit(raw, default: tuple[float, float]) -> tuple[float, float]:
    """``"capacity/per_second"`` as two numbers; ``default`` when unset or unreadable (logged)."""
    if raw in (None, ""):
        return default
    try:
        capacity, rate = (float(part) for part in str(raw).split("/"))
    except ValueError:
        log.warning("ignoring the limit %r: it is written capacity/per_second, such as 12/0.1", raw)
        return default
    if not (math.isfinite(capacity) and math.isfinite(rate)) or capacity < 0 or rate < 0:
        log.warning("ignoring the limit %r: both numbers must be 0 or more", raw)
        return default
    return capacity, rate


class SettingBuckets(TokenBuckets):
    """Token buckets whose capacity and refill are the app's setting ``setting`` (read on each
    call, so a test or an operator may change it), ``default`` when it is unset."""

    def __init__(self, setting: str, default: str, max_keys: int = 50_000):
        self.setting, self.default = setting, parse_limit(default, (0.0, 0.0))
        super().__init__(*self.default, max_keys=max_keys)

    def limit(self) -> tuple[float, float]:
        from flask import current_app, has_app_context

        raw = current_app.config.get(self.setting) if has_app_context() else None
        return parse_limit(raw, self.default)

    def take(self, key: str, capacity: float | None = None, per_second: float | None = None) -> float:
        if capacity is None and per_second is None:
            capacity, per_second = self.limit()
        return super().take(key, capacity, per_second)


def retry_after(wait: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))
