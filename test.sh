#!/usr/bin/env bash
# Runs every test: .NET unit and integration tests, then the web client's unit tests and its
# end-to-end tests in headless Chromium (Debian's /usr/bin/chromium). Prints one summary line.
set -uo pipefail
cd "$(dirname "$0")"
mkdir -p artifacts
passed=0 failed=0 status=0

count() { # adds the "Passed: N" / "Failed: N" figures of dotnet test output
  local p f
  p=$(grep -oE 'Passed: +[0-9]+' "$1" | grep -oE '[0-9]+' | paste -sd+ | bc 2>/dev/null || echo 0)
  f=$(grep -oE 'Failed: +[0-9]+' "$1" | grep -oE '[0-9]+' | paste -sd+ | bc 2>/dev/null || echo 0)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}

dotnet test Broadcast.sln --nologo 2>&1 | tee artifacts/dotnet-test.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count artifacts/dotnet-test.log

if [ -f web-client/package.json ]; then
  ( cd web-client && { [ -d node_modules ] || npm ci --no-audit --no-fund; } ) || status=1
  ( cd web-client && NO_COLOR=1 npx vitest run --reporter=default ) 2>&1 | tee artifacts/web-unit.log
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  sed -i 's/\x1b\[[0-9;]*m//g' artifacts/web-unit.log
  p=$(grep -oE 'Tests +[0-9]+ passed' artifacts/web-unit.log | grep -oE '[0-9]+' | tail -1); passed=$((passed + ${p:-0}))
  f=$(grep -oE '[0-9]+ failed' artifacts/web-unit.log | grep -oE '[0-9]+' | tail -1); failed=$((failed + ${f:-0}))
  if [ -f web-client/e2e/run.sh ]; then
    bash web-client/e2e/run.sh 2>&1 | tee artifacts/web-e2e.log
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    p=$(grep -oE '^# pass [0-9]+' artifacts/web-e2e.log | grep -oE '[0-9]+' | tail -1); passed=$((passed + ${p:-0}))
    f=$(grep -oE '^# fail [0-9]+' artifacts/web-e2e.log | grep -oE '[0-9]+' | tail -1); failed=$((failed + ${f:-0}))
  fi
fi

echo
echo "tests: $passed passed, $failed failed"
exit $status
