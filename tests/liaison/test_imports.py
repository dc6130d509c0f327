"""Every admin import reads its file through liaison.imports, within its bounds."""

from django.contrib import admin
from import_export.admin import ImportMixin

from liaison.admin import BoundedImportMixin
from liaison.imports import IMPORT_FORMATS


def test_every_admin_that_imports_files_reads_them_within_bounds():
    importers = [a for a in admin.site._registry.values() if isinstance(a, ImportMixin)]

    assert importers  # the roster at least
    assert [a for a in importers if not isinstance(a, BoundedImportMixin)] == []
    assert all(a.get_import_formats() == IMPORT_FORMATS for a in importers)
