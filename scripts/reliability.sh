#!/usr/bin/env bash
# Reliability and security figures anyone can rerun (docs/RELIABILITY.md): load with a ledger, injected faults,
# generated hostile input and the access matrix, all against the real local services and the Stripe emulator.
# The scenarios are the integration tests marked Category=Reliability, run larger than ./test.sh runs them; each
# records its figures, merged into artifacts/reliability/results.json and printed as one table. Each scenario class runs
# in a test process (and so on local services) of its own.
# Usage: scripts/reliability.sh [--quick] [--only NAME]
#   --quick      the small counts CI runs, to keep it working
#   --only NAME  only the scenarios whose test name contains NAME (e.g. LoadLedger, FaultTests, Hostile)
set -uo pipefail
cd "$(dirname "$0")/.."

scale=full
filter="Category=Reliability"
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) scale=quick ;;
    --only) only="${2:?--only needs a name}"; filter="$filter&FullyQualifiedName~$only"; shift ;;
    *) echo "usage: scripts/reliability.sh [--quick] [--only NAME]" >&2; exit 2 ;;
  esac
  shift
done

out=artifacts/reliability
rm -rf "$out/parts" && mkdir -p "$out/parts"
start=$(date +%s)
dotnet build tests/PayMyInvoice.IntegrationTests || exit 1
run() {
  PMI_RELIABILITY=$scale PMI_RELIABILITY_OUT="$PWD/$out/parts" \
    dotnet test tests/PayMyInvoice.IntegrationTests --no-build --filter "$1" --logger "console;verbosity=normal"
}
status=0
if [[ -n "$only" ]]; then
  run "$filter" || status=1
else
  # Each scenario class in a test process of its own, so on local services of its own: DynamoDB Local, fauxqs and
  # maildev keep everything in memory, and after the full hostile-events run (60,000 cases, tens of thousands of emails
  # and stream records) in the same process the Stripe faults at time scale 0.001 no longer settled in time, while
  # alone they pass. A scenario's figures should not depend on what ran before it.
  for file in tests/PayMyInvoice.IntegrationTests/Reliability/*Tests.cs; do
    class=$(basename "$file" .cs)
    run "$filter&FullyQualifiedName~.Reliability.$class." || status=1
  done
fi
node scripts/reliability-report.mjs "$out/parts" "$out/results.json" "$scale" "$(( $(date +%s) - start ))" || status=1
exit "$status"
