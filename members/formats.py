"""The roster's file formats: read through liaison.imports (every upload is read there,
within bounds), written through liaison.spreadsheets (no cell becomes a formula)."""

from liaison.imports import IMPORT_FORMATS, XLSX, AutoEncodingCSV, UnreadableFileError

__all__ = ["ROSTER_EXPORT_FORMATS", "ROSTER_IMPORT_FORMATS", "XLSX", "AutoEncodingCSV"]
__all__ += ["UnreadableFileError"]

ROSTER_IMPORT_FORMATS = IMPORT_FORMATS
ROSTER_EXPORT_FORMATS = [XLSX]
