"""The layers hold: the core never imports Streamlit; pages and UI glue touch no SQL or network."""

from __future__ import annotations

import ast
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
NETWORK_OR_SQL = ("sqlalchemy", "httpx", "requests", "urllib", "socket", "tweepy", "atproto",
                  "mastodon", "psycopg", "sqlite3", "boto3")  # fmt: skip
SQL_CALLS = {"execute", "scalars", "scalar", "query"}


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_domain_core_never_imports_streamlit() -> None:
    """No module under curation/ imports streamlit, at any depth or inside a function."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files("curation")
        if any(name == "streamlit" or name.startswith("streamlit.") for name in _imports(path))
    ]
    assert offenders == []


def test_pages_and_ui_glue_touch_no_sql_and_no_network() -> None:
    """app_pages/ and ui/ import no database or network library and run no SQL themselves."""
    offenders = []
    for path in [*_python_files("app_pages"), *_python_files("ui"), ROOT / "dashboard.py"]:
        for name in _imports(path):
            if name.split(".")[0] in NETWORK_OR_SQL:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if is_call and node.func.attr in SQL_CALLS:  # type: ignore[union-attr]
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} calls .{node.func.attr}")  # type: ignore[union-attr]
    assert offenders == []


def test_the_architecture_page_names_only_packages_that_exist() -> None:
    """Every curation/ path docs/architecture.md names exists, and every package is named."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(regex.findall(r"`(curation/[\w/]+?(?:\.py)?)/?`", text))
    assert named, "the page names no modules"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []
    packages = {
        f"curation/{p.name}" for p in (ROOT / "curation").iterdir()
        if p.is_dir() and (p / "__init__.py").exists()
    }  # fmt: skip
    assert sorted(packages - named) == []


def _runtime_imports(path: Path) -> set[str]:
    """Every curation module `path` imports when it runs, at any depth (type hints aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("curation")}


def test_the_core_has_no_import_loops() -> None:
    """No two modules of curation/ import each other, directly or round a loop, even inside
    functions (the CLI's on-demand command modules aside)."""
    modules: dict[str, Path] = {}
    for path in _python_files("curation"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        if not name.startswith("curation.cli"):
            modules[name] = path
    graph = {name: _runtime_imports(path) & set(modules) - {name} for name, path in modules.items()}
    loops: list[list[str]] = []
    for start in sorted(graph):  # a depth-first search from each module back to itself
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start and len(trail) > 1:
                    loops.append(trail)
                elif nxt not in seen and nxt > start:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert loops == []
