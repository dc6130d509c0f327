"""Uploaded files on an S3-compatible object store (MEDIA_STORAGE=s3, README "Files on
object storage"). Local disk stays the default; both are reached only through Django's
storage API, so a second web host reads what the first one stored.

The bucket is private: objects are written without an ACL, and every link the site
shows names the /media/ view (liaison.views.protected_media), which checks who may read
the file before it streams it or redirects to a signed URL valid for
MEDIA_SIGNED_URL_SECONDS. The storage is imported only when the setting selects it, so
a site on local disk never loads boto3.
"""

from collections.abc import Iterator
from urllib.parse import quote, urljoin

from botocore.config import Config
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def __init__(self, **options):
        # No ACL header at all: the bucket's own (private) policy applies, and stores
        # that refuse ACLs (object ownership "bucket owner enforced") accept the upload.
        options.setdefault("default_acl", None)
        # Like FileSystemStorage, never replace another record's file of the same name.
        options.setdefault("file_overwrite", False)
        options.setdefault("querystring_auth", True)
        addressing_style = options.pop("addressing_style", None) or "auto"
        options.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": addressing_style},
                signature_version="s3v4",
                # boto3 ≥ 1.36 adds CRC checksums to every upload; MinIO before 2025,
                # Alibaba OSS and Tencent COS refuse or mangle them. Only when required.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                # A store that does not answer fails the request that needs a file
                # within seconds; pages that need none never call it.
                connect_timeout=3,
                read_timeout=20,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        """The /media/ address, as on local disk: links in pages never bypass the
        permission check (the signed URL is made only once it has passed)."""
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def signed_url(self, name: str, *, content_type: str, inline: bool) -> str:
        """A GET URL for ``name`` valid for MEDIA_SIGNED_URL_SECONDS; the store answers
        with our content type and disposition, and no cache keeps the file."""
        filename = name.rsplit("/", 1)[-1]
        disposition = "inline" if inline else "attachment"
        parameters = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "ResponseCacheControl": "private, no-store",
        }
        return super().url(name, parameters=parameters, expire=settings.MEDIA_SIGNED_URL_SECONDS)

    def names(self) -> Iterator[tuple[str, int]]:
        """Every stored file as (name, size): all keys under the prefix, in key order."""
        prefix = self.location.strip("/")
        prefix = f"{prefix}/" if prefix else ""
        paginator = self.connection.meta.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket_name, Prefix=prefix):
            for item in page.get("Contents", ()):
                yield item["Key"][len(prefix) :], item["Size"]

    def is_empty(self) -> bool:
        prefix = self.location.strip("/")
        page = self.connection.meta.client.list_objects_v2(
            Bucket=self.bucket_name, Prefix=f"{prefix}/" if prefix else "", MaxKeys=1
        )
        return not page.get("Contents")
