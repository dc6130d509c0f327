from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def validate_photo_size(upload):
    """Photos above the limit are refused before they reach the disk."""
    limit = settings.PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("照片不能超过 %(limit)s，当前文件为 %(size)s。"),
            code="photo_too_large",
            params={"limit": filesizeformat(limit), "size": filesizeformat(upload.size)},
        )
