"""Mixed member and staff traffic for ``python -m bench load``. URLs and session
cookies come from the BENCH_LOAD environment variable (JSON from bench.pages.prepare)."""

import json
import os

from locust import HttpUser, between, task

PREPARED = json.loads(os.environ["BENCH_LOAD"])
COOKIE = PREPARED["cookie_name"]
# Every portal page the member opens; the office staff's admin lists and coverage page.
MEMBER_PAGES = [p["url"] for p in PREPARED["measured"] if p["persona"] == "member"]
STAFF_PAGES = [
    p["url"]
    for p in PREPARED["measured"]
    if p["persona"] == "office_staff" and (p["name"] or "").endswith(("_changelist", "_coverage"))
]


class Member(HttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set(COOKIE, PREPARED["cookies"]["member"])

    @task(4)
    def portal(self):
        for url in MEMBER_PAGES:
            self.client.get(url, name="portal")

    @task(1)
    def ping(self):
        self.client.get("/bench/ping", name="ping")


class Staff(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set(COOKIE, PREPARED["cookies"]["office_staff"])

    @task(4)
    def admin(self):
        for url in STAFF_PAGES:
            self.client.get(url, name="admin")

    @task(1)
    def ping(self):
        self.client.get("/bench/ping", name="ping")
