"""The folders are the layers: imports run down only, and no two modules import each other, even lazily.

Layers, highest first (README "How it is built"): the entry layer (`textline` itself, which holds
only `create_app`, and `textline.cli`) > `textline.voice` > `textline.web` > `flows` and `workers`
(neither imports the other) > `textline.models` > `textline.core`. Every import counts: at the top
of a module, inside a function (a lazy import), under `if TYPE_CHECKING`. A circle is reported with
the modules in it, an upward import with the line that makes it.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("textline", "flows", "workers")
#: (module prefix, layer): the first prefix that matches a module decides its layer.
LAYERS: tuple[tuple[str, int], ...] = (
    ("textline.cli", 5),
    ("textline.voice", 4),
    ("textline.web", 3),
    ("flows", 2),
    ("workers", 2),
    ("textline.models", 1),
    ("textline.core", 0),
    ("textline", 5),  # textline/__init__.py: create_app
)
#: Same-layer packages that must not import each other: (importer, imported).
APART = (("flows", "workers"), ("workers", "flows"))


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    where: str


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of ours that `name` (a module, or a name inside one) lives in."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(known: dict[str, Path], root: Path = ROOT) -> Iterator[Import]:
    """Every import between our modules, wherever it stands in the module."""
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                # `from pkg import sub` imports the submodule; `from mod import name` the module.
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            else:
                continue
            for name in names:
                target = _resolve(name, known)
                if target is not None and target != module:
                    yield Import(module, target, f"{path.relative_to(root)}:{node.lineno}")


def layer(module: str) -> int:
    return next(level for prefix, level in LAYERS if module == prefix or module.startswith(prefix + "."))


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (Tarjan's strongly connected components, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def upward(root: Path = ROOT) -> list[str]:
    found = []
    for edge in imports(modules(root), root):
        apart = any(edge.source.split(".")[0] == a and edge.target.split(".")[0] == b for a, b in APART)
        if layer(edge.target) > layer(edge.source) or apart:
            found.append(f"{edge.where}: {edge.source} imports {edge.target}")
    return sorted(found)


def circles_in(root: Path = ROOT) -> list[list[str]]:
    known = modules(root)
    edges: dict[str, set[str]] = {module: set() for module in known}
    for edge in imports(known, root):
        edges[edge.source].add(edge.target)
    return sorted(circles(edges))


def test_no_module_imports_a_higher_layer() -> None:
    assert upward() == []


def test_no_two_modules_import_each_other() -> None:
    assert circles_in() == []


def test_the_check_finds_lazy_circles_and_upward_imports(tmp_path: Path) -> None:
    """The checker itself, on a small tree: a lazy import inside a function counts like any other."""
    files = {
        "flows/__init__.py": "",
        "flows/engine.py": "from flows import crisis\n",
        "flows/crisis.py": "def rest():\n    from flows import engine\n",
        "workers/__init__.py": "",
        "workers/send.py": "from flows.engine import handle\n",
        "textline/__init__.py": "",
        "textline/core/__init__.py": "",
        "textline/core/settings.py": "def later():\n    import textline.models.members\n",
        "textline/models/__init__.py": "",
        "textline/models/members.py": "from ..core import settings\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert circles_in(tmp_path) == [["flows.crisis", "flows.engine"],
                                    ["textline.core.settings", "textline.models.members"]]
    assert upward(tmp_path) == [
        "textline/core/settings.py:2: textline.core.settings imports textline.models.members",
        "workers/send.py:1: workers.send imports flows.engine",
    ]
