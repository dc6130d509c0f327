"""Local stand-ins for the SMS gateways' HTTP APIs, so that tests (and the benchmark) run
the real Alibaba and Tencent SDKs against them with the endpoint overridden
(``SMS_ENDPOINT``), never a mock of our own backend.

Each stand-in is a small threaded ``http.server`` that speaks enough of one API:

- Alibaba Cloud dysmsapi 2017-05-25, RPC style: ``SendSms`` (``PhoneNumbers``,
  ``SignName``, ``TemplateCode``, ``TemplateParam`` as JSON) and ``SendBatchSms`` (the
  same as JSON arrays); it answers ``{"Code": "OK", "BizId": ...}`` or an error code
  such as ``isv.BUSINESS_LIMIT_CONTROL``, with HTTP 200 as the gateway does.
- Tencent Cloud SMS 2021-01-11 ``SendSms`` (TC3-signed JSON): a ``SendStatusSet`` with
  ``Code`` "Ok" or an error code per number, or ``Response.Error`` for the whole call.

``received`` records every message (phone, template, parameters, sign name); ``codes``
maps a phone number to the error code the gateway answers for it; ``error`` makes the
whole call fail with that code; ``delay`` makes the stand-in slow (timeouts).
"""

from __future__ import annotations

import abc
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class GatewayStandIn(abc.ABC):
    auth_scheme = ""

    def __init__(self):
        self.received: list[dict] = []
        self.calls = 0
        self.codes: dict[str, str] = {}
        self.error = ""
        self.delay = 0.0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if stand_in.delay:
                    time.sleep(stand_in.delay)
                if not self.headers.get("Authorization", "").startswith(stand_in.auth_scheme):
                    status, answer = 401, {"Code": "IncompleteSignature"}
                else:
                    with stand_in._lock:
                        stand_in.calls += 1
                        status, answer = stand_in.answer(self.headers, self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def next_id(self) -> str:
        return str(next(self._ids))

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @abc.abstractmethod
    def answer(self, headers, path: str, body: str) -> tuple[int, dict]:
        """The gateway's HTTP status and JSON answer to one request."""


class AlibabaStandIn(GatewayStandIn):
    auth_scheme = "ACS3-HMAC-SHA256"

    def answer(self, headers, path, body):
        fields = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        fields.update({k: v[0] for k, v in parse_qs(body).items()})
        action = headers.get("x-acs-action")
        request_id = f"req-{self.next_id()}"
        if action == "SendSms":
            phones = fields["PhoneNumbers"].split(",")
            signs = [fields["SignName"]] * len(phones)
            params = [json.loads(fields.get("TemplateParam") or "{}")] * len(phones)
        elif action == "SendBatchSms":
            phones = json.loads(fields["PhoneNumberJson"])
            signs = json.loads(fields["SignNameJson"])
            params = json.loads(fields.get("TemplateParamJson") or "[]")
        else:
            return 404, {"Code": "InvalidAction.NotFound", "RequestId": request_id}
        # The gateway refuses the whole request when one number is refused.
        code = self.error or next((self.codes[p] for p in phones if p in self.codes), "OK")
        if code != "OK":
            return 200, {"Code": code, "Message": f"stand-in: {code}", "RequestId": request_id}
        for phone, sign, values in zip(phones, signs, params, strict=True):
            self.received.append(
                {
                    "action": action,
                    "phone": phone,
                    "sign": sign,
                    "template": fields["TemplateCode"],
                    "params": values,
                }
            )
        biz_id = f"{self.next_id()}^0"
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}


class TencentStandIn(GatewayStandIn):
    auth_scheme = "TC3-HMAC-SHA256"

    def answer(self, headers, path, body):
        request_id = f"req-{self.next_id()}"
        if headers.get("X-TC-Action") != "SendSms":
            error = {"Code": "InvalidAction", "Message": "stand-in"}
            return 200, {"Response": {"Error": error, "RequestId": request_id}}
        if self.error:
            error = {"Code": self.error, "Message": f"stand-in: {self.error}"}
            return 200, {"Response": {"Error": error, "RequestId": request_id}}
        request = json.loads(body)
        statuses = []
        for phone in request["PhoneNumberSet"]:
            code = self.codes.get(phone.removeprefix("+86"), "Ok")
            if code == "Ok":
                self.received.append(
                    {
                        "phone": phone,
                        "sign": request["SignName"],
                        "template": request["TemplateId"],
                        "params": request.get("TemplateParamSet", []),
                        "app": request["SmsSdkAppId"],
                    }
                )
            statuses.append(
                {
                    "SerialNo": f"serial-{self.next_id()}" if code == "Ok" else "",
                    "PhoneNumber": phone,
                    "Fee": 1 if code == "Ok" else 0,
                    "SessionContext": "",
                    "Code": code,
                    "Message": "send success" if code == "Ok" else f"stand-in: {code}",
                    "IsoCode": "CN",
                }
            )
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}
