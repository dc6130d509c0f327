"""Static files storage for production (settings.production.STORAGES)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names (far-future caching) and a .gz beside every compressible file, which
    nginx's gzip_static sends (deploy/nginx/liaison.conf) and WhiteNoise too.

    No Brotli copies: Debian's nginx has no Brotli module, and compressing at Brotli's
    highest level (WhiteNoise's default whenever the brotli package is installed, here
    through fonttools) made collectstatic take minutes instead of seconds.
    """

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
