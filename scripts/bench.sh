#!/usr/bin/env bash
# Measures every function as Lambda runs it: cold start, warm latency, memory, throughput, and what a month costs.
#   scripts/bench.sh [--quick] [--reuse-package] [--only fn1,fn2] [--env N=V] [--wrap "CMD"]
#     --quick          a few runs of each, to check that it all works (CI); the numbers are not worth quoting
#     --reuse-package  skip scripts/package.sh and use the zips it left in artifacts/ (at the same commit!)
#     --only           only these functions (no throughput)
#     --env            N=V[,N=V] extra variables for every function and floor, to try a runtime setting
#     --wrap           run each function under CMD, e.g. "strace -f -tt -o /tmp/trace" or "perf record -g -o /tmp/perf.data"
# Builds the deployment as scripts/package.sh does and runs each function from its zip, as its own process behind a
# local Lambda Runtime API, against DynamoDB Local, fauxqs, maildev and the Stripe emulator (all started here). Also
# builds what the shipped builds are compared with: the Stripe.net functions as plain JIT, getInvoice and
# invoiceStream as JIT and ReadyToRun, and the floors in bench/Floors (hello-world loops, a bare GetItem loop).
# Writes artifacts/bench/results.json and results.md and prints the tables. Benchmarks are not tests: nothing here
# fails on a slow number.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

package=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reuse-package) package=0; shift ;;
    --quick) args+=("$1"); shift ;;
    --only|--wrap|--env) args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: scripts/bench.sh [--quick] [--reuse-package] [--only fn1,fn2] [--wrap CMD]" >&2; exit 2 ;;
  esac
done

if [ "$package" = 1 ]; then
  ./scripts/package.sh
fi
for zip in api workers billing; do
  [ -f "artifacts/$zip.zip" ] || { echo "bench: artifacts/$zip.zip is missing; run without --reuse-package" >&2; exit 1; }
done
. scripts/need.sh
need unzip unzip
need zip zip

builds=artifacts/bench/builds
rm -rf "$builds"
mkdir -p "$builds"

# zip_dir DIR ZIP, as scripts/package.sh zips (so zipBytes compare alike).
zip_dir() { rm -f "$2"; (cd "$1" && zip -q -r -X "$OLDPWD/$2" .); }

# What ships, unpacked from the very zips the deployment uploads.
for pair in api:aot workers:aot billing:r2r; do
  name=${pair%%:*}; kind=${pair##*:}
  unzip -q "artifacts/$name.zip" -d "$builds/$name-$kind"
  cp "artifacts/$name.zip" "$builds/$name-$kind.zip"
done

publish() { # [bootstrap=APPHOST] publish PROJECT OUT [msbuild properties...]: the apphost renamed to bootstrap when given
  local project=$1 out=$2 log; shift 2
  log=$(mktemp)
  if ! dotnet publish "$project" -c Release -r linux-x64 -p:DebugType=none -o "$builds/$out" "$@" >"$log" 2>&1; then
    cat "$log" >&2; echo "bench: publishing $project ($out) failed" >&2; exit 1
  fi
  rm -f "$log"
  if [ -n "${bootstrap:-}" ]; then mv "$builds/$out/$bootstrap" "$builds/$out/bootstrap"; fi
  zip_dir "$builds/$out" "$builds/$out.zip"
  echo "bench: built $out"
}

# The comparisons: plain JIT, framework-dependent as the managed dotnet10 runtime runs it, and ReadyToRun built as
# scripts/package.sh builds billing.zip (self-contained composite, the apphost as bootstrap).
jit=(--self-contained false -p:PublishAot=false)
r2r=(--self-contained true -p:PublishAot=false -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true)
publish src/Api api-jit "${jit[@]}"
bootstrap=PayMyInvoice.Api publish src/Api api-r2r "${r2r[@]}"
publish src/Workers workers-jit "${jit[@]}"
bootstrap=PayMyInvoice.Workers publish src/Workers workers-r2r "${r2r[@]}"
publish src/Billing billing-jit "${jit[@]}"

# The floors, published as the deployables are (Native AOT, linux-x64).
publish bench/Floors/HelloAot hello-aot -p:PublishAot=true
publish bench/Floors/GetItemLoop getitem-aot -p:PublishAot=true

dotnet run -c Release --project bench/PayMyInvoice.Bench -- "${args[@]}"
