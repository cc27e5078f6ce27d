#!/usr/bin/env bash
# Publishes the HTTP functions as a Native AOT `bootstrap` for provided.al2023 and fails on any trim or AOT
# warning, so the cold-start path stays reflection-free. Needs clang (apt-get install -y clang).
# Output: artifacts/api/bootstrap and artifacts/api.zip (the artifact serverless.yml packages).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v clang >/dev/null || { echo "publish-api-aot: clang is needed for Native AOT (apt-get install -y clang)" >&2; exit 2; }

out=artifacts/api
rm -rf "$out" && mkdir -p "$out"
log=$(mktemp)
dotnet publish src/Api -c Release -r linux-x64 -p:PublishAot=true -o "$out/publish" 2>&1 | tee "$log"
warnings=$(grep -cE 'warning (IL[0-9]{4}|AOT|SYSLIB)' "$log" || true)
rm -f "$log"
if [ "$warnings" -ne 0 ]; then
  echo "publish-api-aot: $warnings trim/AOT warning(s); the Api must publish clean" >&2
  exit 1
fi

cp "$out/publish/PayMyInvoice.Api" "$out/bootstrap"
(cd "$out" && rm -f ../api.zip && python3 -c "import zipfile,os; z=zipfile.ZipFile('../api.zip','w',zipfile.ZIP_DEFLATED); i=zipfile.ZipInfo('bootstrap'); i.external_attr=0o755<<16; i.compress_type=zipfile.ZIP_DEFLATED; z.writestr(i, open('bootstrap','rb').read()); z.close()")
echo "publish-api-aot: 0 trim/AOT warnings; bootstrap $(du -h "$out/bootstrap" | cut -f1), api.zip $(du -h artifacts/api.zip | cut -f1)"
