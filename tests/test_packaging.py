"""A wheel built from the tree carries the templates, migrations, assets and translations it needs."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_everything_the_app_reads_from_disk_under_one_namespace(tmp_path):
    """A wheel installs ``liangbiping`` alone (no top-level admin, display, kiosk or assets that a
    user's own module or another distribution could clash with), with the files the app reads."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("liangbiping-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"liangbiping"}, tops
    assert "liangbiping/__init__.py" not in names  # an implicit namespace
    expected = ["admin/templates/base.html", "admin/migrations/env.py", "admin/migrations/script.py.mako",
                "admin/migrations/versions/0001_initial_schema.py", "assets/css/console.css",
                "display/templates/display/screen.html"]
    expected += [str(p.relative_to(ROOT)) for p in (ROOT / "admin/translations").rglob("*.mo")]
    expected += [str(p.relative_to(ROOT)) for p in (ROOT / "assets/vendor").rglob("*.js")]
    expected += [str(p.relative_to(ROOT)) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                 if "__pycache__" not in p.parts]
    missing = [name for name in expected if "liangbiping/" + name not in names]
    assert not missing, missing
    assert any(n.endswith("entry_points.txt") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "liangbiping = liangbiping.admin.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


PACKAGES = ("admin", "display", "kiosk", "assets")


def test_pyproject_lists_every_package():
    """setuptools installs the packages pyproject.toml lists: a new subpackage must be listed too."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"liangbiping." + str(p.parent.relative_to(ROOT)).replace("/", ".")
             for pkg in PACKAGES for p in (ROOT / pkg).rglob("__init__.py") if "__pycache__" not in p.parts}
    assert listed == found


def test_nothing_imports_the_folders_by_their_bare_names():
    """The code and the tests import ``liangbiping.admin`` (or relatively), never ``admin``: from
    the repository's root both would import, as two copies of every module."""
    import ast

    bare = []
    for path in ROOT.rglob("*.py"):
        if any(part in ("build", ".git", "__pycache__") for part in path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            bare += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in PACKAGES]
    assert not bare, bare
    loaded = [name for name in sys.modules if name.split(".")[0] in PACKAGES]
    assert not loaded, loaded


def _declared_reach() -> tuple[set[str], set[str]]:
    """(declared distributions, every distribution a plain install of them brings)."""
    import re
    import tomllib
    from importlib import metadata

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    def req(spec: str) -> str:
        return norm(re.split(r"[\s<>=!~;\[(]", spec.strip(), maxsplit=1)[0])

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {req(d) for d in project["dependencies"]}
    reach, todo = set(), list(declared)
    while todo:
        name = todo.pop()
        if name in reach:
            continue
        reach.add(name)
        try:
            todo += [req(r) for r in metadata.requires(name) or [] if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            continue
    return declared, reach


def test_every_import_of_the_shipped_code_is_a_declared_dependency():
    """What `../shared/tools/undeclared-imports` checks, inside the suite: a package installed by
    hand on a developer's machine must not hide a dependency that `pip install .` would not bring
    (a missing `holidays` once counted National Day as working days)."""
    import ast
    import re
    from importlib import metadata

    declared, reach = _declared_reach()
    providers = metadata.packages_distributions()
    first_party = {"liangbiping"}
    problems = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in first_party:
                        continue
                    dists = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(top, [])}
                    if not dists & declared:
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        problems.append(f"{top} ({where}): " + ("only through another dependency" if dists & reach
                                                                 else "not installed by pyproject.toml"))
    assert not problems, problems


def test_the_app_refuses_to_start_without_the_holiday_calendar(tmp_path):
    """No silent Monday-to-Friday fallback: without `holidays` the app does not start."""
    code = ("import sys; sys.modules['holidays'] = None\n"
            "from liangbiping.admin.app import create_app\n"
            "from liangbiping.admin.config import TestingConfig\n"
            "create_app(TestingConfig.from_env('data'))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "holidays" in done.stderr


def test_testing_config_ignores_the_production_environment(tmp_path, monkeypatch):
    """A test run on a server that exports production settings must not use them."""
    from liangbiping.admin.config import Config, TestingConfig

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://prod:prod@db.example/prod")
    monkeypatch.setenv("REDIS_URL", "redis://redis.example:6379/0")
    monkeypatch.setenv("SECRET_KEY", "the-production-key")
    settings = TestingConfig.from_env(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path.resolve() / 'liangbiping.db'}"
    assert settings["SOCKETIO_MESSAGE_QUEUE"] is None
    assert settings["SECRET_KEY"] != "the-production-key"
    assert TestingConfig.from_env(tmp_path)["SECRET_KEY"] == settings["SECRET_KEY"]  # kept in the data dir
    production = Config.from_env(tmp_path / "prod")
    assert production["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert production["SECRET_KEY"] == "the-production-key"
    assert production["SOCKETIO_MESSAGE_QUEUE"] == "redis://redis.example:6379/0"
