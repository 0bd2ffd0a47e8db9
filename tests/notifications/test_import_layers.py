"""The notifications app's modules import one another one way: no loop, not even a deferred one.

A loop (compose → mail → compose, mail → tasks → mail) works only as long as someone remembers to
hide one side inside a function; this reads every module's imports, those inside functions too,
and fails on any cycle, naming it.
"""

import ast
from pathlib import Path

from django.conf import settings

APP = Path(settings.BASE_DIR) / "notifications"


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    return {module_name(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The app's modules that ``name`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from . import mail`` names a module; ``from .mail import send`` names its module.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        found |= {target for target in targets if target in known and target != name}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = app_modules()
    known = set(modules)
    # A package's __init__ runs for any import beneath it; it is empty here and imports nothing.
    return {name: imports_of(name, path, known) - {"notifications"} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_names_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_the_apps_imports_deferred_ones_too():
    graph = import_graph()

    assert "notifications.compose" in graph["notifications.mail"]
    assert "notifications.message" in graph["notifications.compose"]
    assert "notifications.services" in graph["notifications.tasks"]


def test_notifications_modules_import_each_other_one_way():
    cycle = find_cycle(import_graph())

    assert cycle is None, "import loop: " + " → ".join(cycle or [])
