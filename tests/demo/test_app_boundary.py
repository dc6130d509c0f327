"""The demo is an app of its own: it imports the others, and nothing imports it (no
registry, no demo imports from an AppConfig.ready())."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _imported_modules(path: Path) -> set[str]:
    found = set()
    source = path.read_text(encoding="utf-8")
    if "demo" not in source:
        return found  # parsing every file would take seconds
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_other_app_imports_the_demo():
    importers = []
    for config in apps.get_app_configs():
        folder = Path(config.path)
        if config.name == "demo" or ROOT not in folder.parents:
            continue  # the demo itself, and third-party apps
        for path in folder.rglob("*.py"):
            if any(name == "demo" or name.startswith("demo.") for name in _imported_modules(path)):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []
