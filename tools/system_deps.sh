#!/usr/bin/env bash
# What the test suite needs from Debian, installed only when missing (`make test` runs this first):
# python3.11, npm (bpmn-js), PostgreSQL binaries (the second leg's throwaway cluster when no server answers),
# chromium (browser tests; never a Playwright-downloaded browser) and the CJK font (readable zh screenshots).
set -euo pipefail
missing=()
command -v "${PYTHON:-python3.11}" >/dev/null 2>&1 || missing+=(python3.11 python3.11-venv)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
command -v "${CASEDESK_CHROMIUM:-chromium}" >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null || missing+=(fonts-noto-cjk)  # no -q: pipefail
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "make test: missing Debian packages: ${missing[*]} (apt-get install -y ${missing[*]}); the tests" \
       "that need them are skipped with a warning (under CI=true they fail)" >&2
  exit 0
fi
echo "make test: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
