"""The layout holds: no import cycles among the engine's and the service's modules (imports inside functions
count too), and nothing a user's process imports reaches training or bench code (devtools/)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("heuristics", "service", "devtools")
INSTALLED = ("heuristics", "service")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the packages, compiled ones (``.pyx``, e.g. heuristics/_core) included."""
    return {module_name(path): path for package in PACKAGES if (ROOT / package).is_dir()
            for pattern in ("*.py", "*.pyx") for path in sorted((ROOT / package).rglob(pattern))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or is inside of."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports, wherever in the file the import statement sits."""
    if path.suffix == ".pyx":  # the compiled core imports no project module (Cython syntax is not Python's)
        return set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = _resolve(target, known)
            if resolved is not None and resolved != name:
                found.add(resolved)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for child in sorted(edges.get(node, ())):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_engine_s_imports():
    edges = graph()
    assert "heuristics.segment" in edges["heuristics.pipeline"]
    assert "heuristics.rules" in edges["heuristics.decide"]


def test_a_cycle_is_found_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_installed_modules_never_import_training_or_bench_code():
    edges = graph()
    offenders = {name: sorted(target for target in targets if target.startswith("devtools"))
                 for name, targets in edges.items() if name.startswith(INSTALLED)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_a_user_process_loads_no_training_or_bench_code():
    """Cleaning text and a page, with devtools/ importable from the working directory, loads none of it."""
    code = ("import sys, heuristics, service; heuristics.clean('Hello world.'); heuristics.clean(html='<p>Hi</p>'); "
            "print(sorted(name for name in sys.modules if name.split('.')[0] == 'devtools'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_devtools_use_only_public_engine_names():
    """Training and the bench go through the engine's public seams (judge, shape, detect_language,
    rules_digest ...), never its private helpers."""
    private = []
    for name, path in modules().items():
        if not name.startswith("devtools"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("heuristics"):
                private += [f"{name}: {node.module}.{alias.name}" for alias in node.names if alias.name.startswith("_")]
    assert private == []
