"""Generated cases against every operation of /api/v1/openapi.json (schemathesis; see fuzzing.py):
no 5xx from any input, every answer as documented, and the document exactly what the validation
accepts (valid data is not refused, invalid data is).

A short run, about two minutes on two cores: the examples and coverage phases' cases and
LIANGBIPING_FUZZ_EXAMPLES fuzzed ones per operation (default 40, some 9,000 cases). bench/fuzz.py runs the long
one. On SQLite, and on PostgreSQL in CI's second pass (LIANGBIPING_TEST_DATABASE_URL), against
one fresh hall for the module.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from liangbiping.admin.app import create_app
from liangbiping.admin.config import TestingConfig
from liangbiping.admin.extensions import db

from ...conftest import PG_URL, _truncate_all, reset_intake
from .fuzzing import Documented, Tally, load_schema, make_world, operations, run_operation
from .support import API, registered_operations

EXAMPLES = int(os.environ.get("LIANGBIPING_FUZZ_EXAMPLES", "40"))


def _labels() -> list[str]:
    """Every operation, as schemathesis names it ("GET /api/v1/departments/{record_id}"), but the
    document itself, which schemathesis loads and leaves out of its cases."""
    labels = {f"{op.method} {API}" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule) for op in registered_operations()}
    return sorted(labels - {f"GET {API}/openapi.json"})


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, _template_db):
    """One app and hall for the module's cases, the loaded schema, and what the document says."""
    data_dir = tmp_path_factory.mktemp("fuzzed")
    if PG_URL:
        app = create_app(TestingConfig.from_env(data_dir, SQLALCHEMY_DATABASE_URI=PG_URL, SKIP_MIGRATIONS=True))
        _truncate_all(app)
    else:
        shutil.copy(_template_db, data_dir / "liangbiping.db")
        app = create_app(TestingConfig.from_env(data_dir, SKIP_MIGRATIONS=True))
    reset_intake()
    world = make_world(app)
    schema = load_schema(world, EXAMPLES)
    documented = Documented(world.client.get(f"{API}/openapi.json").get_json(), world)
    yield world, schema, documented, {op.label: op for op in operations(schema)}
    reset_intake()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_operation_is_generated(fuzzed):
    _world, _schema, _documented, by_label = fuzzed
    assert sorted(by_label) == _labels()


# The DELETEs of a path after its other operations: each item operation works on a record of its own anyway.
@pytest.mark.parametrize("label", sorted(_labels(), key=lambda label: (label.split()[1], label.startswith("DELETE"))))
def test_generated_cases(fuzzed, label):
    world, schema, documented, by_label = fuzzed
    tally = Tally()
    run_operation(world, schema, documented, by_label[label], tally)
    assert tally.cases[label] > 0
    if tally.failures:
        pytest.fail(f"{tally.server_errors} server errors in {tally.cases[label]} cases; {len(tally.failures)} kinds of "
                    f"failure:\n\n{tally.report()}", pytrace=False)
