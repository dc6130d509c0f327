"""The benchmark's small mode in CI: ``python -m bench pages --small`` sweeps every page
of the URLconf for every persona that can open it (bench/sweep.py) on the small demo
and again with ten times the members, in throwaway databases (on the server
DATABASE_URL names, if any), and fails when a URL pattern could not be measured or a
page's SQL queries grow with the data."""

import json
import subprocess
import sys

import pytest

from bench.common import ROOT

pytestmark = pytest.mark.bench


def test_every_page_is_measured_and_keeps_its_queries_when_the_data_grows(tmp_path):
    report = tmp_path / "pages.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--json", str(report), "pages", "--small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    result = json.loads(report.read_text())["results"]["pages"]

    assert result["unfilled"] == [], "URL patterns no persona could open (bench/sweep.py)"
    assert result["members_10x"] > 5 * result["members_1x"]
    personas = {row["persona"] for row in result["rows"]}
    assert {"office_staff", "district_staff", "member", "leader", "anonymous"} <= personas
    problems = {
        row["key"]: (row["queries_1x"], row.get("queries_10x"), row["problems"])
        for row in result["rows"]
        if row["problems"]
    }
    assert problems == {}, "pages whose queries grow with the data: (1×, 10×)"
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
