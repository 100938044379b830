"""The packages of sheetsync are layers that only point down (docs/architecture.md), and a
module's dependencies stand at its top.

Read from the source (nothing is imported): every ``import`` counts, those inside functions
and under ``TYPE_CHECKING`` too, since they hide a dependency without removing it.

- No package imports one that imports it back, directly or through others.
- An import inside a function is for a heavy library kept off the start-up path
  (``tests/test_startup.py``): one of ``LAZY`` below, or a sheetsync module that loads one
  of them when it is imported (the writer of the master loads xlsxwriter). Any other import
  belongs at the top of the module.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Libraries slow to import, kept out of `sheetsync --help` and a pull with nothing to do.
LAZY = frozenset({
    "openpyxl", "python_calamine", "xlsxwriter", "pydantic", "jinja2", "markupsafe",
    "weasyprint", "pypdf", "tomlkit", "requests", "google", "google_auth_oauthlib",
    "starlette", "uvicorn", "matplotlib", "gspread", "prometheus_client", "duckdb",
    "email",  # email.utils: ~10 ms (socket, charsets), as long as tomlkit; contacts only
})


@dataclass(frozen=True)
class Import:
    module: str  # the importer, e.g. sheetsync.pull.run
    line: int
    target: str  # the module imported, e.g. sheetsync.master.build
    in_function: bool
    typing_only: bool = False  # under `if TYPE_CHECKING:`: a dependency, loaded by no one


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((SRC / "sheetsync").rglob("*.py"))}


def package_of(module: str) -> str:
    """The layer a module belongs to: sheetsync.X for sheetsync/X/... and sheetsync/X.py."""
    return ".".join(module.split(".")[:2])


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(node) for fn in ast.walk(tree)
              if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(fn)}
    typing = {id(node) for block in ast.walk(tree)
              if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
              for node in ast.walk(block)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
            # `from sheetsync.schema import findings` imports the module sheetsync.schema.findings
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        out += [Import(module, node.lineno, t, id(node) in nested, id(node) in typing)
                for t in targets]
    return tuple(out)


@cache
def loads_a_heavy_library(module: str) -> bool:
    """Importing ``module`` imports one of ``LAZY`` (through its top-level imports)."""
    for imp in imports_of(module):
        if imp.in_function or imp.typing_only:
            continue
        if imp.target.split(".")[0] in LAZY:
            return True
        if imp.target in MODULES and imp.target != module and loads_a_heavy_library(imp.target):
            return True
    return False


def package_graph() -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for module in MODULES:
        for imp in imports_of(module):
            if not imp.target.startswith("sheetsync."):
                continue
            a, b = package_of(module), package_of(imp.target)
            if a != b:
                graph[a][b].append(imp)
    return graph


def circles(graph: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """The strongly connected sets of packages with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = []
            while True:
                w = stack.pop()
                members.append(w)
                if w == v:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for v in sorted({*graph, *(b for edges in graph.values() for b in edges)}):
        if v not in index:
            visit(v)
    return found


def test_no_package_imports_one_that_imports_it_back() -> None:
    graph = package_graph()
    told = []
    for members in circles(graph):
        told.append("circle: " + ", ".join(members))
        for a in members:
            for b in members:
                for imp in graph[a].get(b, []):
                    told.append(f"  {MODULES[imp.module].relative_to(SRC)}"
                                f":{imp.line} imports {imp.target}")
    assert not told, "\n".join(dict.fromkeys(told))  # one line per import statement


def test_imports_inside_functions_are_heavy_libraries_only() -> None:
    strays = [f"{MODULES[imp.module].relative_to(SRC)}:{imp.line} imports {imp.target}"
              for module in MODULES for imp in imports_of(module)
              if imp.in_function and imp.target.split(".")[0] not in LAZY
              and not (imp.target in MODULES and loads_a_heavy_library(imp.target))]
    assert not strays, ("move these imports to the top of the module (an import inside a "
                        "function is for a heavy library only):\n" + "\n".join(strays))


def test_the_graph_sees_imports_inside_functions_and_the_known_layers() -> None:
    """The two tests above read what they should: a lazy import is an edge, and the layers
    the docs name stand in this order."""
    graph = package_graph()
    assert "sheetsync.master" in graph["sheetsync.pull"]
    assert "sheetsync.pull" not in graph["sheetsync.master"]
    assert not set(graph["sheetsync.google"]) - {"sheetsync.errors", "sheetsync.files"}
    assert loads_a_heavy_library("sheetsync.master._xlsxwriter")
    assert not loads_a_heavy_library("sheetsync.errors")
    made_up = {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}
    assert circles(made_up) == [["a", "b", "c"]]  # type: ignore[arg-type]
