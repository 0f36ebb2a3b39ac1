#!/bin/bash
# deploy.systemd_verify: systemd-analyze verify on deploy/systemd units, with
# ExecStart paths pointed at the built binaries in a temp copy.
set -euo pipefail
src=$1; bin=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$src"/deploy/systemd/*; do
  sed -e "s#/usr/bin/registry-server#$bin/registry-service/registry-server#" \
      -e "s#/usr/bin/report-server#$bin/report-service/report-server#" \
      -e "s#/usr/bin/reportctl#$bin/report-service/reportctl#" "$f" > "$tmp/$(basename "$f")"
done
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp"/*.service "$tmp"/*.timer 2>&1 | grep -v -e 'Failed to open /etc/missions' -e 'EnvironmentFile' || true)
echo "$out"
if echo "$out" | grep -q .; then echo "FAIL"; exit 1; fi
echo OK
