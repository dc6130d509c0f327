"""A local S3 stand-in for the object-store tests: moto's server, in a thread of the test
process on a free port, reached over HTTP by boto3 exactly as a real store would be.

moto accepts any presigned URL, signed or not, expired or not. A real store refuses
both, and that refusal is what keeps a copied or altered file link useless; so the
server here puts a check in front of moto that does what S3 does for presigned GETs:
recompute the AWS Signature V4 over the request and refuse a wrong signature
(SignatureDoesNotMatch) or a URL past X-Amz-Date + X-Amz-Expires (AccessDenied).
"""

import datetime
import hashlib
import hmac
import uuid
from types import SimpleNamespace
from urllib.parse import parse_qsl, quote

import boto3
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

# A new, empty database for bin/restore, as the local-disk backup tests use it.
from ..proof.test_backup import empty_database  # noqa: F401

ACCESS_KEY, SECRET_KEY, REGION = "liaison-test", "liaison-test-secret", "us-east-1"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _refusal(start_response, code: str, message: str):
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    start_response("403 Forbidden", [("Content-Type", "application/xml")])
    return [body]


class PresignedCheck:
    """WSGI middleware: presigned requests (X-Amz-Signature in the query) are checked
    as S3 checks them before moto sees them; everything else passes."""

    def __init__(self, app, secret: str):
        self.app, self.secret = app, secret

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if "X-Amz-Signature=" not in query:
            return self.app(environ, start_response)
        params = dict(parse_qsl(query, keep_blank_values=True))
        signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
        expires = signed_at + datetime.timedelta(seconds=int(params["X-Amz-Expires"]))
        if datetime.datetime.now(datetime.UTC) > expires:
            return _refusal(start_response, "AccessDenied", "Request has expired")
        scope = params["X-Amz-Credential"].split("/", 1)[1]
        date, region, service, _ = scope.split("/")
        canonical_query = "&".join(
            sorted(
                f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}"
                for key, value in params.items()
                if key != "X-Amz-Signature"
            )
        )
        raw_path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]
        headers = params["X-Amz-SignedHeaders"].split(";")
        canonical_headers = "".join(
            f"{name}:{environ['HTTP_' + name.upper().replace('-', '_')].strip()}\n"
            for name in headers
        )
        canonical_request = "\n".join(
            [
                environ["REQUEST_METHOD"],
                raw_path.split("?", 1)[0],
                canonical_query,
                canonical_headers,
                ";".join(headers),
                "UNSIGNED-PAYLOAD",
            ]
        )
        to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256",
                params["X-Amz-Date"],
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        key = _hmac(f"AWS4{self.secret}".encode(), date)
        for part in (region, service, "aws4_request"):
            key = _hmac(key, part)
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
            return _refusal(
                start_response, "SignatureDoesNotMatch", "The request signature does not match"
            )
        return self.app(environ, start_response)


class CheckingMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer with the presigned-URL check in front of moto's app."""

    def _server_entry(self) -> None:
        app = PresignedCheck(DomainDispatcherApplication(create_backend_app), SECRET_KEY)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture(scope="session")
def s3_endpoint():
    server = CheckingMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def storage_options(endpoint: str, bucket: str) -> dict:
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": REGION,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "location": "media",
        "addressing_style": "path",
        "querystring_expire": 60,
    }


def storage_environment(endpoint: str, bucket: str) -> dict:
    """The same store as the site's environment (bin/backup, bin/restore, manage.py)."""
    return {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_PREFIX": "media",
        "S3_ADDRESSING_STYLE": "path",
    }


def new_bucket(endpoint: str):
    """A private bucket of its own for one test, and a client to look inside it."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    name = f"liaison-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)

    def keys() -> list[str]:
        return sorted(o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", ()))

    return SimpleNamespace(name=name, client=client, endpoint=endpoint, stored=keys)


@pytest.fixture
def bucket(s3_endpoint, settings):
    """The site's uploaded files in a fresh private bucket (MEDIA_STORAGE=s3)."""
    store = new_bucket(s3_endpoint)
    settings.MEDIA_STORAGE = "s3"
    settings.MEDIA_DELIVERY = "redirect"
    settings.MEDIA_SIGNED_URL_SECONDS = 60
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "liaison.storage.PrivateS3Storage",
            "OPTIONS": storage_options(s3_endpoint, store.name),
        },
    }
    return store
