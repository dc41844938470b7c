"""A wheel built from the tree carries the templates, migrations, assets and translations it needs."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_everything_the_app_reads_from_disk(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("liangbiping-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = ["admin/templates/base.html", "admin/migrations/env.py", "admin/migrations/script.py.mako",
                "admin/migrations/versions/0001_initial_schema.py", "assets/css/console.css",
                "display/templates/display/screen.html"]
    expected += [str(p.relative_to(ROOT)) for p in (ROOT / "admin/translations").rglob("*.mo")]
    expected += [str(p.relative_to(ROOT)) for p in (ROOT / "assets/vendor").rglob("*.js")]
    missing = [name for name in expected if name not in names]
    assert not missing, missing
    assert any(n.endswith("entry_points.txt") for n in names)
