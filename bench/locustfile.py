"""Mixed member and staff traffic for ``python -m bench load``. URLs and session
cookies come from the BENCH_LOAD environment variable (JSON from bench.pages.prepare)."""

import json
import os

from locust import HttpUser, between, task

PREPARED = json.loads(os.environ["BENCH_LOAD"])
URLS = PREPARED["urls"]
COOKIE = PREPARED["cookie_name"]


def _pages(prefix):
    return [url for name, url in URLS.items() if name.startswith(prefix) and url]


class Member(HttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set(COOKIE, PREPARED["cookies"]["member"])

    @task(4)
    def portal(self):
        for url in _pages("portal_"):
            self.client.get(url, name="portal")

    @task(1)
    def ping(self):
        self.client.get("/bench/ping", name="ping")


class Staff(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set(COOKIE, PREPARED["cookies"]["staff"])

    @task(4)
    def admin(self):
        for url in _pages("admin_"):
            self.client.get(url, name="admin")

    @task(1)
    def ping(self):
        self.client.get("/bench/ping", name="ping")
