"""Imports run one way (docs/ARCHITECTURE.md): every module of the package imports alone in a
fresh interpreter, no modules import each other in a circle, and no module imports from a layer
above its own (the models, in particular, import nothing above them)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("admin", "display", "kiosk", "assets")
# What sits below the models and may be imported by them (docs/ARCHITECTURE.md, "base").
BASE = {"liangbiping.admin.extensions", "liangbiping.admin.errors", "liangbiping.admin.config",
        "liangbiping.admin.timefmt"}


def _modules() -> dict[str, Path]:
    found = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            if "__pycache__" in path.parts or "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(["liangbiping", folder, *parts])] = path
    return found


def _module_level_imports(name: str, path: Path, modules: dict) -> set[str]:
    """The project's modules that ``name`` imports while it is being imported (function bodies
    run later and cannot make a module half-initialised)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [n for top in tree.body for n in (ast.walk(top) if isinstance(top, (ast.If, ast.Try)) else [top])]
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package
                for _ in range(node.level - 1):
                    prefix = prefix.rsplit(".", 1)[0]
                base = prefix + ("." + node.module if node.module else "")
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            for i in range(2, len(parts) + 1):
                candidate = ".".join(parts[:i])
                # A module's own packages are on their way in already: they cannot close a circle.
                if candidate in modules and candidate != name and not name.startswith(candidate + "."):
                    out.add(candidate)
    return out


def test_no_modules_import_each_other_in_a_circle():
    modules = _modules()
    graph = {name: _module_level_imports(name, path, modules) for name, path in modules.items()}
    # Tarjan's strongly connected components: any with two or more modules is a circle.
    index, low, stack, on_stack, circles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, circles


def test_the_models_import_nothing_above_them():
    modules = _modules()
    above = []
    for name, path in modules.items():
        if not name.startswith("liangbiping.admin.models"):
            continue
        for target in _module_level_imports(name, path, modules):
            if not target.startswith("liangbiping.admin.models") and target not in BASE | {"liangbiping.admin"}:
                above.append(f"{name} -> {target}")
    assert not above, above


# The layers of docs/ARCHITECTURE.md, top first: (layer, module names or prefixes ending in ".").
LAYERS = [
    ("entry points", {"liangbiping.admin.cli", "liangbiping.admin.server", "liangbiping.admin.jobs",
                      "liangbiping.admin.demo", "liangbiping.admin.demo."}),
    ("app factory", {"liangbiping.admin.app"}),
    ("views", {"liangbiping.admin.console", "liangbiping.admin.console.", "liangbiping.admin.api",
               "liangbiping.admin.api.", "liangbiping.admin.public", "liangbiping.display",
               "liangbiping.display.views", "liangbiping.display.events", "liangbiping.kiosk",
               "liangbiping.kiosk.pages", "liangbiping.kiosk.events", "liangbiping.kiosk.survey_pages",
               "liangbiping.kiosk.wish_pages", "liangbiping.kiosk.follow_pages"}),
    ("push", {"liangbiping.admin.push", "liangbiping.admin.push.", "liangbiping.kiosk.state",
              "liangbiping.kiosk.entries"}),
    ("models", {"liangbiping.admin.models", "liangbiping.admin.models."}),
    ("base", BASE | {"liangbiping.admin", "liangbiping.admin.limits", "liangbiping.admin.validation",
                     "liangbiping.admin.data_dir", "liangbiping.admin.offload", "liangbiping.admin.text",
                     "liangbiping.admin.xlsx", "liangbiping.admin.security_headers", "liangbiping.admin.timing",
                     "liangbiping.admin.client_address", "liangbiping.assets"}),
]
DOMAIN = "domain"   # everything not named above: services, ledger, stats, campaign, reviews, reports, the intake
ORDER = ["entry points", "app factory", "views", "push", DOMAIN, "models", "base"]


def _layer(name: str) -> str:
    for layer, names in LAYERS:
        if name in names or any(p.endswith(".") and name.startswith(p) for p in names):
            return layer
    return DOMAIN


def test_no_module_imports_from_a_layer_above_its_own():
    modules = _modules()
    upward = []
    for name, path in modules.items():
        mine = ORDER.index(_layer(name))
        for target in _module_level_imports(name, path, modules):
            if ORDER.index(_layer(target)) < mine:
                upward.append(f"{name} ({_layer(name)}) -> {target} ({_layer(target)})")
    assert not upward, upward


# Runs in a fresh interpreter: the libraries are loaded once, then each module of the project is
# imported alone in a forked child (a project module loaded before the fork would hide a cycle).
_ALONE = r"""
import os, sys
for lib in ("flask", "flask_sqlalchemy", "sqlalchemy.orm", "flask_babel", "flask_login", "flask_wtf",
            "flask_socketio", "socketio", "engineio.async_client", "pydantic", "PIL.Image", "qrcode", "openpyxl",
            "apscheduler.schedulers.background", "alembic.command", "holidays", "redis", "psycopg", "jinja2"):
    __import__(lib)
assert not [m for m in sys.modules if m.startswith("liangbiping")]
todo, running, failed = sys.argv[1:], {}, []
while todo or running:
    while todo and len(running) < 3:
        name = todo.pop()
        pid = os.fork()
        if pid == 0:
            try:
                __import__(name)
            except BaseException as exc:
                sys.stderr.write(f"{name}: {type(exc).__name__}: {exc}\n")
                os._exit(1)
            os._exit(0)
        running[pid] = name
    pid, status = os.wait()
    name = running.pop(pid)
    if status:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_alone(tmp_path):
    names = sorted(_modules())
    assert len(names) > 100
    done = subprocess.run([sys.executable, "-c", _ALONE, *names], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
