"""Uploaded files are checked by what they contain, not by what their name claims, and
by size, before they reach the disk."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Extension -> the kinds `filetype` may recognise for it. Word/Excel 97 files are OLE2
# containers, which filetype reports as doc/xls/ppt alike (msi too): accept any of them.
DOCUMENT_KINDS = {
    "pdf": {"pdf"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "doc": {"doc", "xls", "ppt", "msi"},
    "xls": {"doc", "xls", "ppt", "msi"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
}


@deconstructible
class UploadValidator:
    """Refuse a file whose content does not match its extension, or that is too large."""

    def __init__(self, extensions=tuple(DOCUMENT_KINDS), max_bytes_setting="UPLOAD_MAX_BYTES"):
        self.extensions = tuple(extensions)
        self.max_bytes_setting = max_bytes_setting

    def __call__(self, upload):
        limit = getattr(settings, self.max_bytes_setting)
        if upload.size > limit:
            raise ValidationError(
                _("文件不能超过 %(limit)s，当前文件为 %(size)s。"),
                code="file_too_large",
                params={"limit": filesizeformat(limit), "size": filesizeformat(upload.size)},
            )
        name = upload.name or ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in self.extensions:
            raise ValidationError(
                _("不支持的文件类型“%(ext)s”，请上传 %(allowed)s 文件。"),
                code="file_type",
                params={"ext": extension or "?", "allowed": "、".join(self.extensions)},
            )
        position = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(8192)
        upload.seek(position)
        kind = filetype.guess(head)
        if kind is None or kind.extension not in DOCUMENT_KINDS[extension]:
            raise ValidationError(
                _("文件“%(name)s”的内容与扩展名不符，请检查后重新上传。"),
                code="file_content",
                params={"name": name},
            )

    def __eq__(self, other):
        return (
            isinstance(other, UploadValidator)
            and self.extensions == other.extensions
            and self.max_bytes_setting == other.max_bytes_setting
        )


validate_document = UploadValidator()
