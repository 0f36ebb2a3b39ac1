#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus package) scrapes the metrics
# endpoints of a real registry-server and report-server after reportctl
# generated the 2020 report through them, and its query API answers:
# both targets up, the registry's StreamYearDataset calls, the report's
# generation count, and the registry's revision.
# Usage: prometheus_services_test.sh REGISTRY_SERVER REPORT_SERVER REGISTRYCTL REPORTCTL DATA_FILE
set -euo pipefail
registry_bin=$1 report_bin=$2 registryctl=$3 reportctl=$4 data=$5
dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# wait_line LOG PATTERN: the first line of LOG matching PATTERN, within 20 s.
wait_line() {
  for _ in $(seq 200); do
    if grep -q "$2" "$1" 2>/dev/null; then grep -m1 "$2" "$1"; return 0; fi
    sleep 0.1
  done
  echo "no '$2' in $1:" >&2; cat "$1" >&2; return 1
}
addr() { sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' <<<"$1"; }
metrics() { sed -n 's|.*metrics on http://\([0-9.]*:[0-9]*\)/metrics.*|\1|p' <<<"$1"; }

"$registry_bin" --insecure --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 --drain=0s \
  --storage="sqlite:$dir/registry.db" 2>"$dir/registry.log" &
pids+=($!)
line=$(wait_line "$dir/registry.log" "listening on")
registry=$(addr "$line") registry_metrics=$(metrics "$line")
"$registryctl" --plaintext --server="$registry" import "$data" >/dev/null

"$report_bin" --insecure --registry_plaintext --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 \
  --drain=0s --registry="$registry" 2>"$dir/report.log" &
pids+=($!)
line=$(wait_line "$dir/report.log" "listening on")
report=$(addr "$line") report_metrics=$(metrics "$line")
mkdir -p "$dir/out"
"$reportctl" --plaintext --server="$report" generate --year=2020 --format=markdown,json \
  --language=nl --output="$dir/out" >/dev/null 2>&1

for target in "$registry_metrics" "$report_metrics"; do
  curl -fsS --max-time 5 "http://$target/metrics" | promtool check metrics
done

prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: registry
    static_configs:
      - targets: ["$registry_metrics"]
  - job_name: report
    static_configs:
      - targets: ["$report_metrics"]
YAML
promtool check config "$dir/prometheus.yml" >/dev/null
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$dir/prometheus.log" 2>&1 &
pids+=($!)

# query EXPR VALUE: waits (up to 20 s) until the instant query EXPR has the
# single value VALUE; prints the answer.
query() {
  local result=""
  for _ in $(seq 40); do
    result=$(curl -fsS --max-time 2 -G "http://127.0.0.1:$prom_port/api/v1/query" \
      --data-urlencode "query=$1" 2>/dev/null || true)
    if grep -q '"value":\[[0-9.]*,"'"$2"'"\]' <<<"$result"; then
      echo "prometheus: $1 => $result"
      return 0
    fi
    sleep 0.5
  done
  echo "FAIL: $1 did not become $2; last answer: $result" >&2
  tail -20 "$dir/prometheus.log" >&2
  return 1
}
query 'sum(up{job=~"registry|report"})' 2
query 'sum(grpc_server_handled_total{job="registry",grpc_service="registry.v1.RegistryService",grpc_method="StreamYearDataset",grpc_code="OK"})' 2
query 'sum(report_generation_seconds_count{job="report",outcome="ok"})' 2
query 'registry_revision{job="registry"}' 1
query 'registry_view_revision{job="registry"}' 1
query 'sum(report_registry_calls_total{job="report",code="OK"})' 2
