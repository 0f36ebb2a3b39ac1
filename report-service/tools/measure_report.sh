#!/usr/bin/env bash
# Measures report-server: the server-side time to fetch, assemble and
# render each format (median of RUNS requests, from report-server's log
# line per request) and the server's peak memory (VmHWM), for the 2020 data
# and for a synthetic registry of MISSIONS missions.
#
# Usage: report-service/tools/measure_report.sh [2020|synthetic]...
#   (default: both)
# Environment: BUILD_DIR (build), RUNS (3), MISSIONS (1000), LANGUAGE (nl).
# Needs the binaries built: registry-server, registryctl, report-server,
# reportctl, synthetic-registry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
RUNS="${RUNS:-3}"
MISSIONS="${MISSIONS:-1000}"
LANGUAGE="${LANGUAGE:-nl}"
FORMATS=(markdown html pdf json annex1-csv annex2-csv)
datasets=("$@")
[ ${#datasets[@]} -gt 0 ] || datasets=(2020 synthetic)

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start LOG ARGS...: starts a server and waits until it listens; sets
# PORT to its port and PID to its process id.
start() {
  local log=$1; shift
  "$@" 2> "$log" &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$log"; then
      PORT=$(grep -o "listening on [0-9.]*:[0-9]*" "$log" | head -1 | sed 's/.*://')
      return 0
    fi
    sleep 0.1
  done
  echo "measure: $1 did not start" >&2; cat "$log" >&2; exit 1
}

# median: the middle of the numbers on standard input.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

measure() {
  local name=$1 data=$2 dir="$work/$1"
  mkdir -p "$dir/out"
  local registry_port report_port report_pid
  start "$dir/registry.log" "$BUILD_DIR/registry-service/registry-server" \
    --listen=127.0.0.1:0 --storage="sqlite:$dir/registry.db"
  registry_port=$PORT
  "$BUILD_DIR/registry-service/registryctl" import "$data" \
    --server="127.0.0.1:$registry_port" 2> "$dir/import.log"
  start "$dir/report.log" "$BUILD_DIR/report-service/report-server" \
    --listen=127.0.0.1:0 --registry="127.0.0.1:$registry_port"
  report_port=$PORT
  report_pid=$PID
  echo "== $name ($(grep -o '[0-9]* records' "$dir/import.log" || true)), language $LANGUAGE, median of $RUNS"
  printf '%-11s %12s %10s %12s %11s %11s\n' format bytes fetch_ms assemble_ms render_ms total_ms
  for format in "${FORMATS[@]}"; do
    local before
    before=$(wc -l < "$dir/report.log")
    for _ in $(seq 1 "$RUNS"); do
      "$BUILD_DIR/report-service/reportctl" generate --year=2020 --format="$format" \
        --language="$LANGUAGE" --output="$dir/out/doc" \
        --server="127.0.0.1:$report_port" 2> /dev/null || [ $? -eq 3 ]
    done
    local lines
    lines=$(tail -n +"$((before + 1))" "$dir/report.log" | grep 'StreamReport.*status=OK')
    field() { echo "$lines" | grep -o " $1=[0-9.]*" | cut -d= -f2 | median; }
    printf '%-11s %12s %10s %12s %11s %11s\n' "$format" "$(field bytes)" \
      "$(field fetch_ms)" "$(field assemble_ms)" "$(field render_ms)" "$(field ms)"
  done
  echo "report-server peak memory: $(grep VmHWM /proc/"$report_pid"/status | awk '{print $2, $3}')"
}

for dataset in "${datasets[@]}"; do
  case "$dataset" in
    2020) measure 2020 "$ROOT/registry-service/data/vkm-2020.yaml" ;;
    synthetic)
      "$BUILD_DIR/report-service/synthetic-registry" --missions="$MISSIONS" \
        --output="$work/synthetic.yaml" 2> /dev/null
      measure "synthetic-$MISSIONS" "$work/synthetic.yaml" ;;
    *) echo "measure: unknown dataset '$dataset' (2020 or synthetic)" >&2; exit 2 ;;
  esac
done
