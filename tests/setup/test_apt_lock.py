"""bin/_common.sh waits for the package lock instead of failing (an unattended upgrade
holds it for minutes on a fresh machine)."""

import subprocess
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# apt-get as it behaves while another process holds the lock: refuses at once (exit
# 100, apt's message). It records each call that got through.
FAKE_APT_GET = """#!/bin/bash
if [ -f "$FAKE/lock-errors" ] && [ "$(cat "$FAKE/lock-errors")" -gt 0 ]; then
  echo $(( $(cat "$FAKE/lock-errors") - 1 )) >"$FAKE/lock-errors"
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
  exit 100
fi
if [ -f "$FAKE/holder.pid" ] && kill -0 "$(cat "$FAKE/holder.pid")" 2>/dev/null; then
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
  exit 100
fi
echo "$*" >>"$FAKE/apt-get.calls"
"""


def _run(tmp_path, script, *, lock_errors=0, timeout="60", apt_get=FAKE_APT_GET):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(apt_get)
    # Every package is missing; we run as root so as_root needs no sudo.
    (bin_dir / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")
    for name in ("apt-get", "dpkg-query", "id"):
        (bin_dir / name).chmod(0o755)
    (tmp_path / "lock-errors").write_text(str(lock_errors))
    lock = tmp_path / "lock-frontend"
    lock.touch()
    prelude = textwrap.dedent(
        f"""
        set -euo pipefail  # as bin/setup-and-run runs
        export FAKE={tmp_path} PATH={bin_dir}:$PATH APT_LOCK_TIMEOUT={timeout}
        source {ROOT}/bin/_common.sh
        APT_LOCKS=({lock})
        sleep() {{ command sleep 0.1; }}
        hold_lock() {{
          (exec 9<"{lock}"; command sleep "$1") >/dev/null 2>&1 &
          echo $! >"$FAKE/holder.pid"
        }}
        """
    )
    return subprocess.run(
        ["bash", "-c", prelude + script],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_install_waits_while_another_apt_get_holds_the_lock(tmp_path):
    result = _run(tmp_path, "hold_lock 1.5; ensure_packages redis-server")

    assert result.returncode == 0, result.stderr
    assert "正在运行，等它结束后继续安装" in result.stderr
    calls = (tmp_path / "apt-get.calls").read_text().splitlines()
    assert len(calls) == 2
    assert calls[0].endswith(" update -qq")
    assert calls[1].endswith(" install -y -qq --no-install-recommends redis-server")
    # apt-get itself also waits, for a lock taken between our check and its start.
    assert all(c.startswith("-o DPkg::Lock::Timeout=") for c in calls)


def test_lock_reported_by_apt_get_itself_is_retried(tmp_path):
    # The lock taken between our check and apt-get's start (or the lists lock of
    # `apt-get update`, which older apt does not wait for).
    result = _run(tmp_path, "ensure_packages redis-server", lock_errors=2)

    assert result.returncode == 0, result.stderr
    assert result.stderr.count("软件包锁仍被占用，10 秒后重试") == 2
    assert len((tmp_path / "apt-get.calls").read_text().splitlines()) == 2


def test_gives_up_with_a_message_after_the_timeout(tmp_path):
    result = _run(tmp_path, "hold_lock 30; ensure_packages redis-server", timeout="1")

    assert result.returncode != 0
    assert "等待软件包锁超过 1 秒，已放弃" in result.stderr
    assert not (tmp_path / "apt-get.calls").exists()


def test_other_apt_errors_fail_at_once(tmp_path):
    unknown_package = '#!/bin/sh\necho "E: Unable to locate package nosuch" >&2\nexit 100\n'

    result = _run(tmp_path, "ensure_packages nosuch", apt_get=unknown_package)

    assert result.returncode == 100
    assert "Unable to locate package" in result.stderr
    assert "重试" not in result.stderr
