"""The calls app sits above coalitions, practices and meetings and below notifications (DESIGN.md's
layers): it never imports notifications, and no lower app imports it. Reads every module's imports,
those inside functions too."""

import ast
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
BELOW_CALLS = ("coalitions", "practices", "meetings")


def imported_apps(app: str) -> dict[str, set[str]]:
    """For each module of ``app`` (migrations aside), the top-level packages it imports."""
    found = {}
    for path in (BASE / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(BASE))] = names
    return found


def test_calls_never_imports_notifications():
    offenders = [module for module, names in imported_apps("calls").items() if "notifications" in names]

    assert offenders == [], f"calls imports notifications (an app above it): {offenders}"


def test_no_lower_app_imports_calls():
    offenders = [module for app in BELOW_CALLS for module, names in imported_apps(app).items() if "calls" in names]

    assert offenders == [], f"a lower app imports calls: {offenders}"


def test_the_reader_sees_calls_own_imports():
    assert "practices" in imported_apps("calls")["calls/similar.py"]
