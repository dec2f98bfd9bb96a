#!/usr/bin/env bash
# Regenerates docs/openapi.json from the server: runs the test that compares the served document
# (/openapi/v1.json) with the committed one, in the mode that writes it instead. Review the diff
# (git diff docs/openapi.json) and commit it with the change that caused it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BROADCAST_UPDATE_OPENAPI=1 dotnet test "$root/tests/Broadcast.IntegrationTests" \
  --filter "FullyQualifiedName~OpenApiDocumentTests.ServedDocumentIsTheCommittedOne" "$@"
git -C "$root" diff --stat -- docs/openapi.json
