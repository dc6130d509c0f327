# Shared by bin/setup-and-run and bin/test: install what is missing, nothing more.
# Every step checks first, so a second run takes seconds. Sourced, not executed.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
mkdir -p "$ROOT/var"

# Packages every run needs: a Python that can make virtual environments (and compile a
# wheel if one is missing), gettext for the translations, Chinese fonts and Pango for
# WeasyPrint's PDFs, and Redis for Celery.
BASE_PACKAGES=(
  python3 python3-venv python3-dev build-essential gettext
  fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0 redis-server
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "需要 root 权限运行：$*（请安装 sudo 或以 root 运行）" >&2
    return 1
  fi
}

# ensure_packages PKG... — apt-get install only the packages that are not installed.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "缺少系统软件包：${missing[*]}；本机没有 apt-get，请手动安装。" >&2
    return 1
  fi
  say "安装系统软件包：${missing[*]}"
  apt_get update -qq || return
  apt_get install -y -qq --no-install-recommends "${missing[@]}"
}

# On a fresh machine an unattended upgrade (or someone's apt-get) often holds the package
# lock for minutes; apt-get would fail at once. Wait for it, saying so, up to this long.
APT_LOCK_TIMEOUT="${APT_LOCK_TIMEOUT:-900}"
APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock
  /var/cache/apt/archives/lock)

apt_lock_held() {
  if command -v fuser >/dev/null 2>&1; then
    as_root fuser -s "${APT_LOCKS[@]}" 2>/dev/null
  else
    pgrep -x 'apt|apt-get|aptitude|dpkg|unattended-upgr' >/dev/null 2>&1
  fi
}

# apt_get ARGS... — apt-get as root that waits while another package manager holds the
# lock. Checks first (fuser, else the process list), then lets apt-get itself wait
# (DPkg::Lock::Timeout, apt 1.9.11+) for the moment between the check and its start, and
# retries when apt-get still reports a lock (older apt, the lists lock of `update`).
apt_get() {
  local started=$SECONDS waited left errors rc
  errors=$(mktemp)
  while :; do
    waited=$((SECONDS - started)) left=$((APT_LOCK_TIMEOUT - SECONDS + started))
    if [ "$left" -gt 0 ] && apt_lock_held; then
      echo "另一个软件包管理程序（apt-get、dpkg 或系统自动更新）正在运行，等它结束后继续安装……" \
        "（已等待 ${waited} 秒，最多等待 ${APT_LOCK_TIMEOUT} 秒）" >&2
      sleep 10
      continue
    fi
    rc=0
    as_root env DEBIAN_FRONTEND=noninteractive apt-get \
      -o DPkg::Lock::Timeout="$((left > 0 ? left : 0))" "$@" 2>"$errors" || rc=$?
    cat "$errors" >&2
    if [ "$rc" -ne 0 ] && grep -qiE 'could not get lock|unable to lock|无法获得锁|无法加锁' "$errors"; then
      waited=$((SECONDS - started))
      if [ "$waited" -lt "$APT_LOCK_TIMEOUT" ]; then
        echo "软件包锁仍被占用，10 秒后重试……（已等待 ${waited} 秒，最多等待 ${APT_LOCK_TIMEOUT} 秒）" >&2
        sleep 10
        continue
      fi
      echo "等待软件包锁超过 ${APT_LOCK_TIMEOUT} 秒，已放弃；请等其他安装结束后重新运行" \
        "（或设置 APT_LOCK_TIMEOUT 延长等待）。" >&2
    fi
    rm -f "$errors"
    return "$rc"
  done
}

have_systemd() { [ -d /run/systemd/system ]; }

# The host and port of a URL like redis://host:port/0 or postgres://user@host:port/db.
url_host() { sed -E 's#^[a-z+]+://([^@/]*@)?(\[[^]]*\]|[^:/]*).*#\2#' <<<"$1"; }
url_port() {
  local port
  port=$(sed -nE 's#^[a-z+]+://([^@/]*@)?(\[[^]]*\]|[^:/]*):([0-9]+).*#\3#p' <<<"$1")
  echo "${port:-$2}"
}
is_local() { case "$1" in ""|127.0.0.1|localhost|"[::1]") return 0 ;; *) return 1 ;; esac; }

ensure_redis() {
  local url="${REDIS_URL:-redis://127.0.0.1:6379/0}" host port
  host=$(url_host "$url"); port=$(url_port "$url" 6379)
  if ! is_local "$host"; then
    return 0  # someone else's Redis: not ours to start
  fi
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && return 0
  say "启动 Redis（127.0.0.1:$port）"
  if have_systemd && [ "$port" = 6379 ]; then
    as_root systemctl start redis-server
  else
    # No systemd (containers, CI): run it ourselves; it keeps nothing on disk.
    mkdir -p "$ROOT/var/redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" \
      --appendonly no --dir "$ROOT/var/redis" --logfile "$ROOT/var/redis/redis.log"
  fi
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "Redis 未能启动，见 $ROOT/var/redis/redis.log" >&2
  return 1
}

# Only when DATABASE_URL names a PostgreSQL server on this machine.
ensure_postgres() {
  local url="${DATABASE_URL:-}" host port
  case "$url" in postgres://*|postgresql://*|pgsql://*) ;; *) return 0 ;; esac
  host=$(url_host "$url"); port=$(url_port "$url" 5432)
  is_local "$host" || return 0
  ensure_packages postgresql
  pg_isready -q -h 127.0.0.1 -p "$port" && return 0
  say "启动 PostgreSQL（127.0.0.1:$port）"
  if have_systemd; then
    as_root systemctl start postgresql
  else
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 100); do
    pg_isready -q -h 127.0.0.1 -p "$port" && return 0
    sleep 0.1
  done
  echo "PostgreSQL 未能启动" >&2
  return 1
}

# The first Python 3.11+ on PATH.
find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "需要 Python 3.11 或更新版本。" >&2
  return 1
}

# .venv with the dependencies listed in pyproject.toml. The project itself is not a
# package (it runs from this folder), so its dependency lists are read and installed
# directly. pip runs again only when pyproject.toml or constraints.txt change.
ensure_venv() {
  local python stamp
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
    python=$(find_python)
    say "创建虚拟环境 .venv（$("$python" --version)）"
    rm -rf .venv
    "$python" -m venv .venv
  fi
  stamp=$(cat pyproject.toml constraints.txt <(.venv/bin/python --version) | sha256sum | cut -d' ' -f1)
  if [ -f .venv/.deps-stamp ] && [ "$(cat .venv/.deps-stamp)" = "$stamp" ]; then
    return 0
  fi
  say "安装 Python 依赖（pyproject.toml）"
  pip_install_project .venv dev
  echo "$stamp" >.venv/.deps-stamp
}

# pip_install_project VENV [EXTRA...] — the dependencies pyproject.toml lists, plus
# those of the named optional groups (development: dev; production: none).
pip_install_project() {
  local venv="$1"
  shift
  "$venv/bin/python" - "$@" >"$venv/requirements.txt" <<'PY'
import sys
import tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = [dep for name in sys.argv[1:] for dep in project["optional-dependencies"][name]]
print("\n".join(project["dependencies"] + extras))
PY
  # xstatic-bootstrap ships only an sdist whose build breaks on setuptools 81+; pip
  # applies PIP_CONSTRAINT inside build environments too.
  PIP_CONSTRAINT="$ROOT/constraints.txt" "$venv/bin/python" -m pip install -q \
    --disable-pip-version-check -r "$venv/requirements.txt"
}

compile_messages() {
  # .mo files are build products (gitignored); compilemessages skips up-to-date ones.
  compgen -G "locale/*/LC_MESSAGES/*.po" >/dev/null || return 0
  .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=var -v 0
}
