"""The import graph, read from every module's AST: layers point one way, bench never uses tests.

Each module's imports are read from its source (``import x``, ``from x import y``
and relative imports, at any depth: inside functions and ``TYPE_CHECKING``
blocks too, since a deferred import is still a dependency) and mapped to the
layer that holds the imported module. The layers, lowest first::

    prompts <- tools (runs <- client <- text <- images <- faces) <- agent <- slack_app <- cli

A module may import its own layer and layers below it, never one above. The
emulator stands apart: it imports no layer, and no part of ``tools`` or
``prompts`` imports it (the wiring layers may start it: the built-in emulator
when no Extend key is set). The client and the run models import neither
LangChain, Slack nor MCP (a tool host pays for the client's imports at start-up).
``bench`` and ``tests`` sit on top; nothing imports them, and ``bench`` does not
import ``tests``.

``python -m tests.test_layers`` prints the graph found (edges and how many
modules import along each).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (  # lowest first; "tools" alone is the package's own __init__ (its version)
    "prompts",
    "tools",
    "tools.runs",
    "tools.client",
    "tools.text",
    "tools.images",
    "tools.faces",
    "agent",
    "slack_app",
    "cli",
)
EMULATOR = "extend_emulator"
ON_TOP = ("bench", "tests")
UNITS = (*LAYERS, EMULATOR, *ON_TOP)
EMULATOR_USERS = frozenset({"agent", "slack_app", "cli", *ON_TOP})
LIGHT_LAYERS = ("tools.client", "tools.runs")
HEAVY_PACKAGES = ("langchain", "langchain_core", "langgraph", "slack_sdk", "slack_bolt", "mcp")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module's layer
    target: str  # the imported module, in full
    path: str  # the importing file, relative to the repo
    line: int


def unit_of(module: str) -> str | None:
    """The most specific unit holding ``module`` (``tools.faces.run_tools`` -> ``tools.faces``)."""
    found = [u for u in UNITS if module == u or module.startswith(f"{u}.")]
    return max(found, key=len) if found else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> list[Path]:
    files = []
    for unit in {u.split(".")[0] for u in UNITS}:
        top = ROOT / unit
        files += sorted(top.rglob("*.py")) if top.is_dir() else []
    return files


def imports_of(path: Path, module: str | None = None) -> list[Import]:
    """Every import in ``path``'s AST (module ``module``, by default its place in the repo),
    relative ones resolved against its package."""
    module = module or module_name(path)
    source = unit_of(module)
    assert source is not None, module
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
                targets = [f"{prefix}.{node.module}" if node.module else prefix]
                if not node.module:  # ``from . import x``: each x is a module or a name in it
                    targets = [f"{prefix}.{alias.name}" for alias in node.names]
            elif node.module:
                targets = [node.module]
        relative = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        found += [Import(source, target, relative, node.lineno) for target in targets]
    return found


def all_imports() -> list[Import]:
    return [found for path in project_files() for found in imports_of(path)]


def layer_graph(imports: list[Import]) -> dict[tuple[str, str], set[str]]:
    """(importing unit, imported unit) -> the importing files, for imports between units."""
    graph: dict[tuple[str, str], set[str]] = defaultdict(set)
    for found in imports:
        target = unit_of(found.target)
        if target is not None and target != found.source:
            graph[(found.source, target)].add(found.path)
    return dict(graph)


def _where(found: Import) -> str:
    return f"{found.path}:{found.line} imports {found.target}"


def test_the_graph_is_read_from_every_module() -> None:
    files = project_files()
    imports = all_imports()
    assert len(files) > 200 and len(imports) > 1000  # the whole project, not a corner of it
    graph = layer_graph(imports)
    for edge in [("tools.client", "tools.runs"), ("agent", "tools.faces"), ("cli", "slack_app")]:
        assert edge in graph, f"{edge} not found: the reader is missing imports"


def test_no_layer_imports_one_above_it() -> None:
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    upward = [
        _where(found)
        for found in all_imports()
        if found.source in rank
        and (target := unit_of(found.target)) in rank
        and rank[target] > rank[found.source]
    ]
    assert upward == [], "imports pointing up the layers:\n" + "\n".join(upward)


def test_the_emulator_stands_apart() -> None:
    crossing = []
    for found in all_imports():
        target = unit_of(found.target)
        if found.source == EMULATOR and target is not None and target != EMULATOR:
            crossing.append(_where(found))  # the emulator shares no code with the product
        if target == EMULATOR and found.source not in (EMULATOR, *EMULATOR_USERS):
            crossing.append(_where(found))  # the client must catch the emulator's mistakes
    assert crossing == [], "\n".join(crossing)


def test_nothing_imports_bench_or_tests_and_bench_does_not_import_tests() -> None:
    wrong = [
        _where(found)
        for found in all_imports()
        if (target := unit_of(found.target)) in ON_TOP
        and target != found.source
        and not (found.source == "tests" and target == "bench")  # tests may run a benchmark
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_client_and_run_models_stay_light() -> None:
    heavy = [
        _where(found)
        for found in all_imports()
        if found.source in LIGHT_LAYERS and found.target.split(".")[0] in HEAVY_PACKAGES
    ]
    assert heavy == [], "\n".join(heavy)


def test_a_relative_import_is_resolved_to_its_layer(tmp_path: Path) -> None:
    assert unit_of("tools.faces.run_tools") == "tools.faces"
    assert unit_of("tools") == "tools" and unit_of("toolsmith") is None
    assert unit_of("slack_app.testing.web_api") == "slack_app"
    probe = tmp_path / "probe.py"
    probe.write_text("from ..faces import run_tools\nfrom . import models\n", encoding="utf-8")
    found = imports_of(probe, "tools.runs.probe")
    assert [(i.source, i.target) for i in found] == [
        ("tools.runs", "tools.faces"),
        ("tools.runs", "tools.runs.models"),
    ]


if __name__ == "__main__":
    graph = layer_graph(all_imports())
    order = {unit: index for index, unit in enumerate(UNITS)}
    for (source, target), files in sorted(
        graph.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])
    ):
        print(f"{source:>16} -> {target:<16} {len(files):>3} module(s)")
