#!/usr/bin/env bash
# Builds every deployable and packages serverless.yml for AWS, offline: no AWS credentials, no call to AWS.
#   scripts/package.sh [--stage STAGE]      (default dev)
# Leaves .serverless/ (the CloudFormation template and the zips) and artifacts/:
#   api.zip      Native AOT bootstrap: the HTTP invoice and fee functions           (provided.al2023)
#   workers.zip  Native AOT bootstrap: stream, queue, schedule and webhook functions (provided.al2023)
#   billing.zip  self-contained composite ReadyToRun bootstrap: the functions that call Stripe.net (provided.al2023)
# Fails on any trim/AOT warning, and on a bootstrap or native library that needs a newer glibc than Amazon Linux 2023's 2.34.
# Needs the .NET 10 SDK, Node 20.19+, clang, zip and objdump (installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

stage=dev
while [ $# -gt 0 ]; do
  case "$1" in
    --stage) stage="$2"; shift 2 ;;
    *) echo "usage: scripts/package.sh [--stage STAGE]" >&2; exit 2 ;;
  esac
done

# Amazon Linux 2023, which provided.al2023 runs on, has glibc 2.34.
readonly max_glibc=2.34
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NPM_CONFIG_UPDATE_NOTIFIER=false

. scripts/need.sh
need clang clang
need zip zip
need objdump binutils

# Pinned tooling (package.json + lockfile): osls, its plugins, cfn-lint.
if [ ! -x node_modules/.bin/osls ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

rm -rf artifacts/api artifacts/workers artifacts/billing artifacts/*.zip
mkdir -p artifacts

# zip_dir DIR ZIP: the directory's files at the zip's root, permissions kept (bootstrap must stay executable).
zip_dir() { rm -f "$2"; (cd "$1" && zip -q -r -X "$OLDPWD/$2" .); }

# check_glibc NAME: the newest glibc symbol that artifacts/NAME/zip's bootstrap and native libraries need, at most
# provided.al2023's; written to artifacts/NAME/glibc.txt.
check_glibc() {
  local out=artifacts/$1 glibc
  glibc=$(find "$out/zip" -maxdepth 1 \( -name bootstrap -o -name '*.so' \) -exec objdump -T {} + | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -1)
  if [ "$(printf '%s\n%s\n' "$glibc" "$max_glibc" | sort -V | tail -1)" != "$max_glibc" ]; then
    echo "package: $1 needs GLIBC_$glibc; provided.al2023 has $max_glibc" >&2; exit 1
  fi
  echo "$glibc" > "$out/glibc.txt"
}

publish_aot() { # publish_aot PROJECT NAME
  local project=$1 name=$2 out=artifacts/$2 log warnings
  log=$(mktemp)
  if ! dotnet publish "src/$project" -c Release -r linux-x64 -p:PublishAot=true -o "$out/publish" >"$log" 2>&1; then
    cat "$log" >&2; echo "package: publishing $project failed" >&2; exit 1
  fi
  warnings=$(grep -E 'warning (IL[0-9]{4}|AOT|SYSLIB)' "$log" | sort -u || true)
  rm -f "$log"
  if [ -n "$warnings" ]; then
    echo "$warnings" >&2; echo "package: $project has trim/AOT warnings; Native AOT deployables must publish clean" >&2; exit 1
  fi
  mkdir -p "$out/zip"
  cp "$out/publish/PayMyInvoice.$project" "$out/zip/bootstrap"
  check_glibc "$name"
  zip_dir "$out/zip" "artifacts/$name.zip"
  echo "package: $name: 0 trim/AOT warnings, needs GLIBC_$(cat "$out/glibc.txt") (at most $max_glibc)"
}

publish_aot Api api
publish_aot Workers workers

# Stripe.net needs the JIT-capable runtime, so Billing ships the runtime with it: self-contained, the framework and the
# app compiled together into one composite ReadyToRun image, so that the framework's generics over our types (async
# state machines, System.Text.Json metadata) are precompiled too; framework-dependent ReadyToRun left ~1,000 methods
# to JIT at a cold start. Its apphost is the bootstrap. Not trimmed: Stripe.net and Newtonsoft.Json are not trim-safe
# (a trimmed build answered 500 on warm calls). See README, Performance.
log=$(mktemp)
if ! dotnet publish src/Billing -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
    -p:DebugType=none -o artifacts/billing/zip >"$log" 2>&1; then
  cat "$log" >&2; echo "package: publishing Billing failed" >&2; exit 1
fi
rm -f "$log"
mv artifacts/billing/zip/PayMyInvoice.Billing artifacts/billing/zip/bootstrap
check_glibc billing
zip_dir artifacts/billing/zip artifacts/billing.zip
echo "package: billing: self-contained composite ReadyToRun, needs GLIBC_$(cat artifacts/billing/glibc.txt) (at most $max_glibc)"

# The framework's own packaging, offline: no credentials, nothing that could look anything up in AWS.
rm -rf .serverless
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
  AWS_SDK_LOAD_CONFIG=0 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  node_modules/.bin/osls package --stage "$stage"
# One zip per deployable beside the template, so .serverless/ is the whole package.
cp artifacts/api.zip artifacts/workers.zip artifacts/billing.zip .serverless/

node scripts/package-report.mjs "$stage"
