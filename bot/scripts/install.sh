#!/usr/bin/env bash
# Build .venv with Python 3.10 (Rasa 3.6.21 supports nothing newer) and install the project.
# Looks for Python 3.10 in pyenv, then python3.10 on PATH, then uv; says what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

is_py310() { [ -n "${1:-}" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python310() {
  local candidate
  if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
      candidate="$(pyenv root)/versions/$version/bin/python"
      if is_py310 "$candidate"; then echo "$candidate"; return 0; fi
    done
  fi
  for candidate in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if is_py310 "$candidate"; then command -v "$candidate"; return 0; fi
  done
  if command -v uv >/dev/null 2>&1; then
    candidate="$(uv python find 3.10 2>/dev/null || true)"
    if is_py310 "$candidate"; then echo "$candidate"; return 0; fi
  fi
  return 1
}

if ! PY310="$(find_python310)"; then
  cat >&2 <<'MSG'
ERROR: Python 3.10 was not found, and Rasa 3.6.21 runs only on Python 3.10.
Looked in: pyenv versions, `python3.10` on PATH, `uv python find 3.10`.
Install one of them, e.g.  pyenv install 3.10   or   uv python install 3.10   or   apt-get install python3.10
MSG
  exit 1
fi
echo "Using Python 3.10 at $PY310"

if [ ! -x .venv/bin/python ] || ! is_py310 .venv/bin/python; then
  rm -rf .venv
  "$PY310" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install --quiet "pip>=24,<25"
# constraints.txt pins every transitive version that was tested together.
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
.venv/bin/python -m pip check

# Tools whose dependencies clash with Rasa's pins live in their own environment, on the
# machine's default Python 3 (schemathesis, for the API fuzzing test).
# PYTHONPATH is unset here: the Makefile points it at this checkout, whose editable-install
# metadata (*.egg-info) would otherwise make pip check the project's own pins in this venv.
if [ ! -x .venv-tools/bin/st ]; then
  env -u PYTHONPATH python3 -m venv .venv-tools
  env -u PYTHONPATH .venv-tools/bin/python -m pip install --quiet -c constraints-tools.txt schemathesis
  env -u PYTHONPATH .venv-tools/bin/python -m pip check
fi

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "WARNING: /usr/bin/chromium is missing; browser tests need: sudo apt-get install -y chromium" >&2
  fi
fi
# `make cluster` puts Debian's HAProxy in front of the replicas (bot/cluster.py writes its config).
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's haproxy for make cluster"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  else
    echo "WARNING: haproxy is missing; make cluster needs: sudo apt-get install -y haproxy" >&2
  fi
fi
echo "Environment ready in .venv"
