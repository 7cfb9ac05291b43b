"""The packages' import graph: no cycles, and the math never imports the pictures.

Every ``import`` statement of every module counts, also those inside functions (a lazy import is
still a dependency), so the graph is the architecture as written, not as loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("landscapes", "animator")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str] | None = None) -> set[str]:
    """Absolute names of what ``path`` imports: ``from . import x`` names ``pkg.x`` when that is a
    module of ``modules``, else ``pkg`` (the package's ``__init__``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if modules is not None and sub in modules else base)
    return found


def graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    modules = {module_name(p): p for p in files}
    return {
        name: {t for t in imports(path, set(modules)) if t in modules and t != name}
        for name, path in modules.items()
    }


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles():
    found = cycle(graph())
    assert found is None, "import cycle: " + " -> ".join(found)


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_landscapes_never_imports_animator_or_plotting():
    for path in sorted((ROOT / "landscapes").rglob("*.py")):
        bad = {
            name
            for name in imports(path)
            if name.split(".")[0] in ("animator", "matplotlib", "PIL", "imageio")
        }
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_graph_sees_relative_and_lazy_imports():
    edges = graph()
    assert "animator.output.registry" in edges["animator.requests"]  # from .outputs import ...
    assert "animator.draw.figure" in edges["animator.draw.frames"]  # inside FrameRenderer.__init__


def test_every_import_names_a_module_that_exists():
    """``from animator.x import y`` needs the module animator.x (a move must leave none stale)."""
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    modules = {module_name(p) for p in files}
    stale = []
    for path in files:
        for target in imports(path, modules):
            if target.split(".")[0] in PACKAGES and target not in modules:
                stale.append(f"{path.relative_to(ROOT)}: {target}")
    assert not stale, "imports of missing modules: " + ", ".join(stale)
