"""The long generated run against the API (schemathesis): every operation of /api/v1/openapi.json.

    python bench/fuzz.py [--examples 250] [--pg] [--only REGEX] [--seed N] [--show 5]

The same cases and checks as tests/admin/api/test_schemathesis.py (see tests/admin/api/fuzzing.py),
many more of them: at least 20,000 in all at the default, in a few minutes. On a small hall in a
temporary data dir on SQLite; ``--pg`` uses the database of LIANGBIPING_PG_URL instead (which it
empties first, as the tests do). Prints the cases of each operation, the total, the server errors
and the other failures by check (with the first few reports), and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIN_CASES = 20_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=250, help="fuzzed examples per operation (default 250)")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL at LIANGBIPING_PG_URL (emptied first)")
    parser.add_argument("--only", help="operations whose label matches this regex, e.g. 'POST /api/v1/ratings'")
    parser.add_argument("--seed", type=int, help="a seed, to repeat a run (else random, unless Hypothesis' CI profile)")
    parser.add_argument("--show", type=int, default=5, help="failure reports to print (default 5)")
    args = parser.parse_args()

    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import TestingConfig
    from tests.admin.api.fuzzing import make_world, run
    from tests.conftest import _truncate_all, reset_intake

    overrides = {}
    if args.pg:
        url = os.environ.get("LIANGBIPING_PG_URL")
        if not url:
            parser.error("--pg needs LIANGBIPING_PG_URL")
        overrides["SQLALCHEMY_DATABASE_URI"] = url
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestingConfig.from_env(tmp, **overrides))
        if args.pg:
            _truncate_all(app)
        reset_intake()
        world = make_world(app)
        began = time.perf_counter()

        def progress(label, tally):
            print(f"{tally.cases[label]:7d}  {tally.seconds[label]:6.1f}s  {label}", flush=True)

        print(f"{'cases':>7}  {'time':>7}  operation ({'PostgreSQL' if args.pg else 'SQLite'}, "
              f"{args.examples} fuzzed examples each)")
        tally = run(world, args.examples, args.only, progress, seed=args.seed)
        elapsed = time.perf_counter() - began
        with app.app_context():
            from liangbiping.admin.extensions import db

            db.session.remove()
            db.engine.dispose()

    by_check = tally.by_check()
    other = sum(count for check, count in by_check.items() if check != "not_a_server_error")
    print(f"\n{tally.total} cases in {len(tally.cases)} operations, {elapsed:.0f} s")
    print(f"server errors: {tally.server_errors}")
    print(f"other failures: {other}" + "".join(f"\n  {check}: {count}" for check, count in sorted(by_check.items())
                                              if check != "not_a_server_error"))
    if tally.failures:
        print("\n" + tally.report(limit=args.show))
    if not args.only and tally.total < MIN_CASES:
        print(f"\nfewer than {MIN_CASES} cases: raise --examples")
        return 1
    return 1 if tally.failures or tally.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
