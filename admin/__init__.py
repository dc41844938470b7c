"""The hub of Liangbiping: app factory, models, domain services, API, console, push, jobs, CLI.

Kept free of imports on purpose: ``liangbiping serve`` must monkey-patch with gevent
before Flask, SQLAlchemy or threading are imported (see ``admin.cli``).
"""

__version__ = "0.1.0"
