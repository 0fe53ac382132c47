"""The import graph of the `orchestration` package, and the layer order its imports must follow.

    python -m tests.structure.import_graph           # the package-level graph, then every circle and upward import
    python -m tests.structure.import_graph --json    # the same as JSON (modules, edges, circles, upward imports)
    python -m tests.structure.import_graph --modules # every module-level edge too

`tests/structure/test_import_graph.py` runs the same check in `make test` and CI: it fails on any import circle
between modules, any circle between packages, and any import that runs up a layer. Every import counts: at module
level, inside a function, and under `if TYPE_CHECKING:` (a circle through a type annotation is still a circle).
Read from the source with `ast`; nothing is imported.

The layers, lowest first. A package may import its own modules and those of a package in a lower or the same layer
(never one in a higher layer), and the package graph must have no circle:

0. foundation: `settings` (environment), `partitions` (the daily partitions, China time), `publish` (write-audit-
   publish of the warehouse file), `resources` (the warehouse resource), `freshness` (the freshness policies),
   `forecast_tables` (the forecast step's tables, which ingest creates empty so every dbt source resolves).
1. `ingest`: landing files and the TOP / 聚水潭 APIs into the `raw` schema. Never imports demo data.
2. `demo_data`: demo mode. The demo landing files, the same records as API payloads (`api_records`) and the local
   TOP / 聚水潭 simulators that serve them (`simulators/`, used by `SOURCE_MODE=api`). Sits above ingest: it reads
   the exports with ingest's own readers.
   `transform`: the dbt project as Dagster assets (staging, marts; the publish step's asset key).
3. `quality`: the gates on what ingest and dbt produced (Great Expectations, contracts, `dbt source freshness`).
4. `metrics` (MetricFlow answers into tables), `forecast` (demand forecasts, after the marts).
5. `reports` (the Evidence report), `alerts` (notifications), `ask` (questions in Chinese), `published` (the asset
   that publishes a run's build once everything it depends on was built).
6. `definitions` (the Dagster code location), `run` (`python -m orchestration.run`).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "orchestration"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("settings", "partitions", "publish", "resources", "freshness", "forecast_tables")),
    ("ingest", ("ingest",)),
    ("demo mode, dbt", ("demo_data", "transform")),
    ("quality gates", ("quality",)),
    ("metric layer, forecasts", ("metrics", "forecast")),
    ("publishing and consumers", ("published", "reports", "alerts", "ask")),
    ("entry points", ("definitions", "run")),
)
"""Lowest first: (name, the packages or top-level modules of `orchestration` in that layer)."""

PENDING: tuple[tuple[str, str], ...] = ()
"""Module imports (importer, imported) that are known and being removed in another change: left out of the circles.
An entry that no longer occurs fails the test, so this list only shrinks."""


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    line: int
    kind: str  # "module", "function" or "type-checking"

    @property
    def label(self) -> str:
        where = "" if self.kind == "module" else f" ({self.kind})"
        return f"{self.source} -> {self.target}  line {self.line}{where}"


def layer_of(module: str) -> int | None:
    """The layer of a module of `orchestration`, from its package (`orchestration.<package>...`)."""
    package = package_of(module)
    for index, (_, members) in enumerate(LAYERS):
        if package in members:
            return index
    return None


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def find_modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Every module of the package under `root`: dotted name -> (file, is a package's __init__)."""
    modules: dict[str, tuple[Path, bool]] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, is_package)
    return modules


def _resolve(name: str, modules: dict[str, tuple[Path, bool]]) -> str | None:
    """The module of the package that an imported dotted name is, or lies in (`a.b.func` -> `a.b`)."""
    while name:
        if name in modules:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return None


def _kind(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    kind = "module"
    current = parents.get(node)
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return "function"
        if isinstance(current, ast.If) and "TYPE_CHECKING" in ast.unparse(current.test):
            kind = "type-checking"
        current = parents.get(current)
    return kind


def find_edges(root: Path) -> tuple[dict[str, tuple[Path, bool]], list[Edge]]:
    """Every import between two modules of the package, at module level, in functions and under TYPE_CHECKING."""
    modules = find_modules(root)
    edges: set[Edge] = set()
    for name, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        here = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    if node.level > 1:
                        base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                # `from a import b` imports the module `a.b` when there is one, else a name defined in `a`
                targets = [
                    f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem for alias in node.names
                ]
            for target in targets:
                if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                    continue
                resolved = _resolve(target, modules)
                if resolved is None or resolved == name:
                    continue
                edges.add(Edge(name, resolved, node.lineno, _kind(node, parents)))
    return modules, sorted(edges)


def strongly_connected(nodes: list[str], graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles of a graph: its strongly connected components with more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return sorted(components)


@dataclass
class Report:
    modules: list[str]
    edges: list[Edge]
    package_edges: dict[tuple[str, str], list[Edge]]
    module_circles: list[list[str]]
    package_circles: list[list[str]]
    upward: list[Edge]
    unplaced: list[str]
    pending_present: list[tuple[str, str]]
    pending_gone: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not (self.module_circles or self.package_circles or self.upward or self.unplaced or self.pending_gone)

    def as_json(self) -> dict:
        return {
            "layers": [{"name": name, "packages": list(members)} for name, members in LAYERS],
            "modules": self.modules,
            "edges": [edge.__dict__ for edge in self.edges],
            "package_edges": [
                {"source": source, "target": target, "imports": [edge.label for edge in edges]}
                for (source, target), edges in sorted(self.package_edges.items())
            ],
            "module_circles": self.module_circles,
            "package_circles": self.package_circles,
            "upward_imports": [edge.__dict__ for edge in self.upward],
            "unplaced_packages": self.unplaced,
            "pending_exceptions": [list(pair) for pair in self.pending_present],
            "pending_exceptions_gone": [list(pair) for pair in self.pending_gone],
            "ok": self.ok,
        }


def analyse(root: Path = ROOT, pending: tuple[tuple[str, str], ...] = PENDING) -> Report:
    modules, edges = find_edges(root)
    present = {(edge.source, edge.target) for edge in edges}
    pending_present = [pair for pair in pending if pair in present]
    pending_gone = [pair for pair in pending if pair not in present]
    excused = set(pending_present)
    module_graph: dict[str, set[str]] = defaultdict(set)
    package_graph: dict[str, set[str]] = defaultdict(set)
    package_edges: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    upward: list[Edge] = []
    for edge in edges:
        if (edge.source, edge.target) in excused:
            continue
        module_graph[edge.source].add(edge.target)
        source, target = package_of(edge.source), package_of(edge.target)
        if source and target and source != target:
            package_graph[source].add(target)
            package_edges[(source, target)].append(edge)
            source_layer, target_layer = layer_of(edge.source), layer_of(edge.target)
            if source_layer is not None and target_layer is not None and target_layer > source_layer:
                upward.append(edge)
    packages = sorted({package_of(module) for module in modules if package_of(module)})
    placed = {member for _, members in LAYERS for member in members}
    return Report(
        modules=sorted(modules),
        edges=edges,
        package_edges=dict(package_edges),
        module_circles=strongly_connected(sorted(modules), module_graph),
        package_circles=strongly_connected(packages, package_graph),
        upward=upward,
        unplaced=[package for package in packages if package not in placed],
        pending_present=pending_present,
        pending_gone=pending_gone,
    )


def render(report: Report, show_modules: bool = False) -> str:
    lines = ["Layers (lowest first; a package imports only from its own layer or below):"]
    for index, (name, members) in enumerate(LAYERS):
        lines.append(f"  {index} {name}: {', '.join(members)}")
    lines += ["", "Package imports (importer -> imported: how many module imports):"]
    for (source, target), edges in sorted(report.package_edges.items()):
        arrow = "  UP" if any(edge in report.upward for edge in edges) else ""
        lines.append(f"  {source} -> {target}: {len(edges)}{arrow}")
    if show_modules:
        lines += ["", "Module imports:"] + [f"  {edge.label}" for edge in report.edges]
    lines += ["", f"Package circles: {len(report.package_circles)}"]
    lines += [f"  {' <-> '.join(circle)}" for circle in report.package_circles]
    lines += [f"Module circles: {len(report.module_circles)}"]
    for circle in report.module_circles:
        members = set(circle)
        lines.append(f"  {' <-> '.join(circle)}")
        lines += [f"    {edge.label}" for edge in report.edges if edge.source in members and edge.target in members]
    lines += [f"Upward imports (into a higher layer): {len(report.upward)}"]
    lines += [f"  {edge.label}" for edge in report.upward]
    if report.unplaced:
        lines += [f"Packages in no layer (add them to LAYERS): {', '.join(report.unplaced)}"]
    if report.pending_present:
        lines += ["Known pending exceptions (PENDING, being removed in another change):"]
        lines += [f"  {source} -> {target}" for source, target in report.pending_present]
    if report.pending_gone:
        lines += ["PENDING entries that no longer occur (remove them):"]
        lines += [f"  {source} -> {target}" for source, target in report.pending_gone]
    lines += ["", "OK" if report.ok else "NOT OK"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.structure.import_graph", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the graph and the findings as JSON")
    parser.add_argument("--modules", action="store_true", help="list every module-level edge too")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to read (default: this one)")
    args = parser.parse_args(argv)
    report = analyse(args.root)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        print(render(report, show_modules=args.modules))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
