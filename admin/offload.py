"""CPU-bound work off the event loop: ``run_off_loop(fn, *args)`` runs ``fn`` in a real OS thread.

The server is one process on gevent (admin/server.py): a request that computes for a second holds
every other request, /healthz, and every screen's and kiosk's push for that second. Work that
spends its time in C code which releases the GIL (Pillow decoding, scaling and encoding a photo)
can run in a worker thread instead while the loop goes on; the calling greenlet waits for the
result without blocking anyone else.

Under gevent, ``threading`` is patched into greenlets, so the worker is a thread of a gevent
``ThreadPool`` (real OS threads). Anywhere else (the Flask test client, scripts, the CLI before
``serve``) ``fn`` is simply called.

What runs there must not touch the database session, Flask's contexts (``current_app``,
``request``, ``g``, translations) or anything else of the loop's: pass bytes in, get bytes out,
and raise plain exceptions that the caller turns into its own errors.
"""

from __future__ import annotations

import os
import sys

# At most this many jobs run at once; others wait (their greenlets, not the loop). A 40-megapixel
# photo takes some hundreds of MB while it is decoded, so the bound is also one on memory.
WORKERS = 2

_pool = None
_pool_pid = None


def under_gevent() -> bool:
    """Whether this process runs on gevent's loop (``monkey.patch_all`` done, as ``liangbiping serve``)."""
    if "gevent.monkey" not in sys.modules:
        return False
    from gevent import monkey

    return monkey.is_module_patched("threading")


def _threadpool():
    """This process's pool, bound to the hub of the thread that made it; another thread's hub
    (never the case in ``serve``) uses its own hub's pool."""
    global _pool, _pool_pid
    import gevent
    from gevent.threadpool import ThreadPool

    hub = gevent.get_hub()
    if _pool is None or _pool_pid != os.getpid():  # first use, or a forked child: the threads are gone
        _pool, _pool_pid = ThreadPool(WORKERS, hub=hub), os.getpid()
    return _pool if _pool.hub is hub else hub.threadpool


def run_off_loop(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread under gevent (the loop goes on meanwhile), a plain
    call otherwise; returns its result or raises its exception."""
    if not under_gevent():
        return fn(*args, **kwargs)
    return _threadpool().spawn(fn, *args, **kwargs).get()
