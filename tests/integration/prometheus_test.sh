#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus package) scrapes the metrics
# endpoint of prometheus_demo_server (echo service + observability
# interceptor), `promtool check metrics` accepts the exposition, and the
# query API returns grpc_server_handled_total for the calls made.
# Usage: prometheus_test.sh DEMO_SERVER_BIN
set -euo pipefail
demo=$1
calls=5
dir=$(mktemp -d)
demo_pid=""
prom_pid=""
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

"$demo" "$calls" >"$dir/demo.out" 2>"$dir/demo.err" &
demo_pid=$!
for _ in $(seq 100); do
  grep -q metrics_port= "$dir/demo.out" 2>/dev/null && break
  sleep 0.1
done
metrics_port=$(sed -n 's/.*metrics_port=\([0-9]*\).*/\1/p' "$dir/demo.out")
[ -n "$metrics_port" ] || { echo "demo server did not start"; cat "$dir/demo.err"; exit 1; }

curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/metrics" >"$dir/metrics.txt"
curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/healthz" | grep -qx ok
promtool check metrics <"$dir/metrics.txt"
grep -q "^grpc_server_handled_total{grpc_service=\"bench.Echo\",grpc_method=\"Echo\",grpc_type=\"unary\",grpc_code=\"OK\"} $calls\$" "$dir/metrics.txt"
# One JSON line per call on stderr.
[ "$(grep -c '"rpc":"/bench.Echo/Echo"' "$dir/demo.err")" -eq "$calls" ]

prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: demo
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
YAML
promtool check config "$dir/prometheus.yml" >/dev/null
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$dir/prometheus.log" 2>&1 &
prom_pid=$!

query='grpc_server_handled_total{job="demo",grpc_method="Echo",grpc_code="OK"}'
result=""
for _ in $(seq 40); do
  result=$(curl -fsS --max-time 2 -G "http://127.0.0.1:$prom_port/api/v1/query" \
    --data-urlencode "query=$query" 2>/dev/null || true)
  if echo "$result" | grep -q '"value":\[[0-9.]*,"'"$calls"'"\]'; then
    echo "prometheus: $result"
    exit 0
  fi
  sleep 0.5
done
echo "no query result from prometheus; last answer: $result"
tail -20 "$dir/prometheus.log"
exit 1
