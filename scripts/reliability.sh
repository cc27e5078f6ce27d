#!/usr/bin/env bash
# Reliability and security figures anyone can rerun (docs/RELIABILITY.md): load with a ledger, injected faults,
# generated hostile input and the access matrix, all against the real local services and the Stripe emulator.
# The scenarios are the integration tests marked Category=Reliability, run larger than ./test.sh runs them; each
# records its figures, merged into artifacts/reliability/results.json and printed as one table.
# Usage: scripts/reliability.sh [--quick] [--only NAME]
#   --quick      the small counts CI runs, to keep it working
#   --only NAME  only the scenarios whose test name contains NAME (e.g. LoadLedger, FaultTests, Hostile)
set -uo pipefail
cd "$(dirname "$0")/.."

scale=full
filter="Category=Reliability"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) scale=quick ;;
    --only) filter="$filter&FullyQualifiedName~${2:?--only needs a name}"; shift ;;
    *) echo "usage: scripts/reliability.sh [--quick] [--only NAME]" >&2; exit 2 ;;
  esac
  shift
done

out=artifacts/reliability
rm -rf "$out/parts" && mkdir -p "$out/parts"
start=$(date +%s)
PMI_RELIABILITY=$scale PMI_RELIABILITY_OUT="$PWD/$out/parts" \
  dotnet test tests/PayMyInvoice.IntegrationTests --filter "$filter" --logger "console;verbosity=normal"
status=$?
node scripts/reliability-report.mjs "$out/parts" "$out/results.json" "$scale" "$(( $(date +%s) - start ))" || status=1
exit "$status"
