"""Every package the code imports directly is declared as a direct dependency (issue 14, point 6).

A package that only arrives through another (Rasa brings sanic, SQLAlchemy, twilio ...) can vanish or
change under us when that other package changes its own requirements; declared, its version is ours to
decide. The product's code (bot/, actions/, channels/) must find its imports in pyproject.toml's
dependencies and in requirements.in; the tests may also use the `test` extra.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, Set

PROJECT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "actions", "channels")
#: Modules of our own found on the path the tests and tools add (the shared acceptance scorer and simulator).
LOCAL_DIRS = (PROJECT, PROJECT.parent / "shared" / "eval")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _top_level_imports(folders: Iterable[str]) -> Dict[str, Set[str]]:
    """Top-level module -> files that import it, for absolute imports outside the standard library."""
    found: Dict[str, Set[str]] = {}
    for folder in folders:
        for path in sorted((PROJECT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and not _is_local(top):
                        found.setdefault(top, set()).add(str(path.relative_to(PROJECT)))
    return found


def _is_local(top: str) -> bool:
    return any((d / top).is_dir() or (d / f"{top}.py").is_file() for d in LOCAL_DIRS)


@lru_cache(maxsize=1)
def _distributions_of() -> Dict[str, Set[str]]:
    """Import name -> distributions providing it: packages_distributions(), and, for wheels without
    top_level.txt (Python 3.10 reads only that), the top-level names in each distribution's RECORD."""
    mapping = {k: {_normal(d) for d in v} for k, v in md.packages_distributions().items()}
    for dist in md.distributions():
        name = _normal(dist.metadata["Name"])
        for line in (dist.read_text("RECORD") or "").splitlines():
            path = line.split(",", 1)[0]
            top, sep, _ = path.partition("/")
            if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__", ""):
                continue
            if sep or top.endswith((".py", ".so")):  # a package, or a module (.so: name.cpython-310-....so)
                mapping.setdefault(top.split(".")[0], set()).add(name)
    return mapping


def _requirements_in() -> Set[str]:
    names = set()
    for line in (PROJECT / "requirements.in").read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#", 1)[0])
        if m:
            names.add(_normal(m.group(1)))
    return names


def _pyproject_list(key: str) -> Set[str]:
    """The names in one `key = [ ... ]` list of pyproject.toml (dependencies, or an extra such as test)."""
    text = (PROJECT / "pyproject.toml").read_text()
    m = re.search(rf"^{key}\s*=\s*\[(.*?)\]\s*$", text, re.S | re.M)
    assert m, f"pyproject.toml has no {key} list"
    return {_normal(re.match(r"[A-Za-z0-9._-]+", s).group(0)) for s in re.findall(r'"([^"]+)"', m.group(1))}


def _undeclared(imports: Dict[str, Set[str]], declared: Set[str]) -> Dict[str, str]:
    missing = {}
    for module, files in sorted(imports.items()):
        dists = _distributions_of().get(module, set())
        if not dists:
            missing[module] = f"not installed (imported by {sorted(files)[0]})"
        elif not dists & declared:
            missing[module] = f"{'/'.join(sorted(dists))}, imported by {sorted(files)[0]}"
    return missing


def test_the_products_imports_are_declared_in_pyproject_and_requirements_in():
    imports = _top_level_imports(PRODUCT)
    assert {"rasa", "sanic", "sqlalchemy"} <= set(imports)  # the scan sees the imports it should
    assert _undeclared(imports, _pyproject_list("dependencies")) == {}
    assert _undeclared(imports, _requirements_in()) == {}


def test_the_tests_imports_are_declared():
    imports = _top_level_imports(("tests",))
    assert {"pytest", "hypothesis"} <= set(imports)
    assert _undeclared(imports, _pyproject_list("dependencies") | _pyproject_list("test")) == {}
    assert _undeclared(imports, _requirements_in()) == {}


def test_pyproject_and_requirements_in_declare_the_same_packages():
    assert _pyproject_list("dependencies") | _pyproject_list("test") | {"numpy", "ruff"} == _requirements_in()


def test_every_declared_package_is_in_the_lock_at_the_pinned_version():
    locked = {}
    for line in (PROJECT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            locked[_normal(name)] = version.strip()
    for line in (PROJECT / "requirements.in").read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s#;]+)", line)
        if m:
            assert locked.get(_normal(m.group(1))) == m.group(2), line
