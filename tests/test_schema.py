"""The migrations build exactly the schema the models describe, on SQLite and (in CI's second run,
with LIANGBIPING_TEST_DATABASE_URL) on PostgreSQL; SQLite connections get their pragmas."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from liangbiping.admin.app import create_app
from liangbiping.admin.config import TestingConfig
from liangbiping.admin.extensions import db
from tests.conftest import PG_URL


def test_the_tests_run_on_the_database_asked_for(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.dialect.name == ("postgresql" if PG_URL else "sqlite")


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    """On a SQLite app of its own, whichever database the other tests use."""
    application = create_app(TestingConfig.from_env(tmp_path, SKIP_MIGRATIONS=True))
    with application.app_context(), db.engine.connect() as connection:
        assert connection.dialect.name == "sqlite"
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    with application.app_context():
        db.engine.dispose()
