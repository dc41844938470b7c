"""psycopg's wait for a query's answer, on gevent's loop (``liangbiping serve``).

With ``select`` patched, psycopg waits through gevent's emulation of ``select.poll``: each wait
builds a poll object, a watcher set and a timeout, several times per query. py-spy over a rating
load on PostgreSQL had that emulation at about 7 % of the server's samples. This wait asks the
socket itself first (the original, non-blocking ``poll``; an answer is often there already) and
otherwise parks the greenlet on one watcher of the hub. As ``wait_poll``: ``READY_NONE`` after each
``interval`` with nothing ready, ``_WaitTimeout`` past ``timeout`` (checked after every step), and
``OperationalError`` for a socket that was closed, even under the wait.
"""

from __future__ import annotations

from time import monotonic

BUSY = 0.005  # seconds a wait may go on finding its socket ready before it lets other greenlets run


def install() -> bool:
    """Make psycopg wait this way in this process; False when psycopg or gevent's patch is absent."""
    try:
        import psycopg.waiting as waiting
    except ImportError:  # SQLite only: nothing to wait for
        return False
    from gevent import monkey

    if not monkey.is_module_patched("select"):
        return False
    waiting.wait = _waiter(waiting, monkey.get_original("select", "poll"))
    return True


def _waiter(waiting, poll_factory):
    import select

    from gevent import get_hub, sleep
    from gevent.socket import wait as park
    from psycopg import errors

    masks = {waiting.WAIT_R: select.POLLIN, waiting.WAIT_W: select.POLLOUT,
             waiting.WAIT_RW: select.POLLIN | select.POLLOUT}
    bad = ~(select.POLLIN | select.POLLOUT)

    def wait(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
        # Parked at most ``interval`` at a time, as wait_poll: epoll forgets a socket closed under
        # it (by another greenlet, a pool's invalidation), and only a poll after waking sees that.
        deadline = None if timeout is None else monotonic() + timeout
        parked_at = monotonic()
        try:
            state = next(gen)
            poller = poll_factory()
            poller.register(fileno, masks[state])
            while True:
                events = poller.poll(0)
                if events and monotonic() - parked_at > BUSY:
                    sleep(0)  # ready for long without a pause (a big answer): the hub runs a turn
                    parked_at = monotonic()
                elif not events:
                    limit = interval if interval > 0 else None
                    if deadline is not None:
                        left = max(0.0, deadline - monotonic())
                        limit = left if limit is None else min(limit, left)
                    # libev's READ and WRITE are psycopg's WAIT_R and WAIT_W.
                    watcher = get_hub().loop.io(fileno, state)
                    try:
                        park(watcher, timeout=limit, timeout_exc=False)  # False: a timeout just returns
                    finally:
                        watcher.close()
                    parked_at = monotonic()
                    events = poller.poll(0)
                if events:
                    mask = events[0][1]
                    ready = (waiting.READY_R if mask & select.POLLIN else 0) | (
                        waiting.READY_W if mask & select.POLLOUT else 0)
                    if not ready:
                        if mask & bad:
                            waiting._check_fd_closed(fileno)
                        raise errors.OperationalError("connection socket closed")
                    state = gen.send(ready)
                    poller.modify(fileno, masks[state])
                else:
                    state = gen.send(waiting.READY_NONE)
                    poller.modify(fileno, masks[state])
                if deadline is not None and monotonic() >= deadline:
                    raise errors._WaitTimeout("wait timeout expired")
        except StopIteration as stop:
            return stop.value

    return wait
