"""Uploaded files are reached only through the storage API: on the object store they
have no path. A new ``open(settings.MEDIA_ROOT / …)`` or ``field.path`` would work on a
laptop and fail on the first site with MEDIA_STORAGE=s3; this catches it."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
# The settings define MEDIA_ROOT; bin/_backup.py archives it when the files are on disk.
ALLOWED = {"liaison/settings/base.py", "liaison/settings/test.py", "bin/_backup.py"}
SKIPPED = {".venv", "tests", "bench", "node_modules", "var", "media", "staticfiles"}


def _file_field_names() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    }


def test_no_code_reads_an_uploaded_file_by_its_path():
    fields = "|".join(sorted(_file_field_names()))
    by_path = re.compile(rf"settings\.MEDIA_ROOT|\.(?:{fields})\.path\b")
    found = []
    for source in ROOT.rglob("*.py"):
        relative = source.relative_to(ROOT)
        if relative.parts[0] in SKIPPED or relative.as_posix() in ALLOWED:
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if by_path.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
