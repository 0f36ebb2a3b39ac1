#!/usr/bin/env bash
# Builds and starts registry-server and report-server on the embedded SQLite
# default, seeds the registry with the 2020 data, writes the 2020 report in
# every format and language into out/, and keeps serving until interrupted.
#
# Secure by default, with a DEVELOPMENT PKI made once under var/local/
# (deploy/local/dev-pki.sh): both servers serve TLS and verify bearer tokens;
# report-server reaches the registry over mutual TLS with its own client
# certificate (role reader, var/local/auth/identities.conf). registryctl
# and reportctl run from the checkout find the CA and the development tokens
# (var/local/pki/ca.pem, var/local/auth/*.jwt) without flags.
#
# Logs: each server's stderr (one JSON line per RPC, plus start-up and
# shutdown lines) goes to VAR_DIR/registry-server.log and report-server.log.
# They are ROTATED, never overwritten or appended to: at each start the
# previous log becomes registry-server.log.1, .1 becomes .2, and so on; the
# LOG_KEEP (5) most recent earlier runs are kept, older ones are deleted. So
# the .log is always this run's alone, and the last runs stay to look at.
#
# Usage: deploy/local/run.sh [--once] [--fresh]
#   --once    generate the report, then stop both servers and exit
#   --fresh   start from an empty database (the old one is moved aside)
# Environment: REGISTRY_PORT (50051), REPORT_PORT (50052), YEAR (2020),
#   DATA_FILE (registry-service/data/vkm-2020.yaml), VAR_DIR (var/local),
#   OUT_DIR (out), BUILD_DIR (build), LOG_KEEP (5; 0 keeps no earlier log).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
VAR_DIR="${VAR_DIR:-$ROOT/var/local}"
OUT_DIR="${OUT_DIR:-$ROOT/out}"
REGISTRY_PORT="${REGISTRY_PORT:-50051}"
REPORT_PORT="${REPORT_PORT:-50052}"
YEAR="${YEAR:-2020}"
DATA_FILE="${DATA_FILE:-$ROOT/registry-service/data/vkm-2020.yaml}"
LOG_KEEP="${LOG_KEEP:-5}"
export BUILD_DIR

once=false
fresh=false
for arg in "$@"; do
  case "$arg" in
    --once) once=true ;;
    --fresh) fresh=true ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$LOG_KEEP" =~ ^[0-9]+$ ]]; then
  echo "run.sh: LOG_KEEP must be a number of logs to keep, not '$LOG_KEEP'" >&2
  exit 2
fi

"$ROOT/deploy/build.sh" registry-server report-server registryctl reportctl

BIN="$BUILD_DIR"
mkdir -p "$VAR_DIR" "$OUT_DIR"
DB="$VAR_DIR/registry.db"
if $fresh && [ -e "$DB" ]; then
  aside="$DB.$(date +%Y%m%d-%H%M%S)"
  mv "$DB" "$aside"
  rm -f "$DB-wal" "$DB-shm"
  echo "run.sh: moved the old database to $aside" >&2
fi
seed=false
[ -e "$DB" ] || seed=true

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT TERM

# rotate_log LOG: makes room for a new LOG; the previous one becomes LOG.1,
# LOG.1 becomes LOG.2 ... up to LOG.$LOG_KEEP; the oldest is deleted.
# (Not appending: wait_listening would find an earlier run's "listening on".)
rotate_log() {
  local log=$1 i
  if [ "$LOG_KEEP" -eq 0 ]; then rm -f "$log"; return 0; fi
  rm -f "$log.$LOG_KEEP"
  for ((i = LOG_KEEP - 1; i >= 1; i--)); do
    if [ -e "$log.$i" ]; then mv -f "$log.$i" "$log.$((i + 1))"; fi
  done
  if [ -e "$log" ]; then mv -f "$log" "$log.1"; fi
}

# wait_listening LOG NAME: waits until the server logs that it listens.
wait_listening() {
  local log=$1 name=$2
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$log" 2>/dev/null; then return 0; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "run.sh: $name did not start:" >&2; cat "$log" >&2; exit 1
    fi
    sleep 0.1
  done
  echo "run.sh: $name did not start within 10 s:" >&2; cat "$log" >&2; exit 1
}

# The development CA, certificates, token-signing key and tokens (made once;
# sets MISSIONS_TOKEN_ISSUER and MISSIONS_TOKEN_AUDIENCE).
"$ROOT/deploy/local/dev-pki.sh" "$VAR_DIR"
# shellcheck source=dev-pki.sh
source "$ROOT/deploy/local/dev-pki.sh"
PKI="$VAR_DIR/pki"
AUTH="$VAR_DIR/auth"
# The CLIs below use these (they would find them in the checkout anyway,
# but VAR_DIR may be elsewhere).
export MISSIONS_CA="$PKI/ca.pem"
tokens=(--jwks="$AUTH/jwks.json" --jwt_issuer="$MISSIONS_TOKEN_ISSUER"
        --jwt_audience="$MISSIONS_TOKEN_AUDIENCE")

rotate_log "$VAR_DIR/registry-server.log"
"$BIN/registry-service/registry-server" --listen="127.0.0.1:$REGISTRY_PORT" \
  --storage="sqlite:$DB" \
  --tls_cert="$PKI/registry-server.pem" --tls_key="$PKI/registry-server-key.pem" \
  --client_ca="$PKI/ca.pem" --require_client_cert=false \
  --identities="$AUTH/identities.conf" "${tokens[@]}" \
  2> "$VAR_DIR/registry-server.log" &
pids+=($!)
wait_listening "$VAR_DIR/registry-server.log" registry-server

if $seed; then
  # Importing a whole dataset needs the admin role.
  MISSIONS_TOKEN_FILE="$AUTH/admin.jwt" "$BIN/registry-service/registryctl" \
    import "$DATA_FILE" --server="127.0.0.1:$REGISTRY_PORT"
else
  echo "run.sh: using the existing database $DB (--fresh to reseed)" >&2
fi

rotate_log "$VAR_DIR/report-server.log"
"$BIN/report-service/report-server" --listen="127.0.0.1:$REPORT_PORT" \
  --tls_cert="$PKI/report-server.pem" --tls_key="$PKI/report-server-key.pem" \
  "${tokens[@]}" \
  --registry="127.0.0.1:$REGISTRY_PORT" --registry_ca="$PKI/ca.pem" \
  --registry_cert="$PKI/report-server-client.pem" \
  --registry_key="$PKI/report-server-client-key.pem" \
  2> "$VAR_DIR/report-server.log" &
pids+=($!)
wait_listening "$VAR_DIR/report-server.log" report-server

# Markdown, HTML, PDF, JSON and both annex CSVs, in Dutch and English.
# Exit status 3: written, but the report's checks found an error (see the
# checks annex, or reportctl check); anything else non-zero is a failure.
generated=0
MISSIONS_TOKEN_FILE="$AUTH/reader.jwt" "$BIN/report-service/reportctl" generate --year="$YEAR" --format=all \
  --language=all --output="$OUT_DIR" --server="127.0.0.1:$REPORT_PORT" \
  --deadline=2m || generated=$?
if [ "$generated" -eq 3 ]; then
  echo "run.sh: the $YEAR report was written, but its checks found errors:" \
       "run $BIN/report-service/reportctl check --year=$YEAR" \
       "--server=127.0.0.1:$REPORT_PORT" >&2
elif [ "$generated" -ne 0 ]; then
  exit "$generated"
fi

echo "run.sh: the $YEAR report is in $OUT_DIR:" >&2
ls -l "$OUT_DIR" >&2
if $once; then
  exit 0
fi
cat >&2 <<MSG
run.sh: serving; press Ctrl-C to stop.
  registry-server  127.0.0.1:$REGISTRY_PORT  TLS + tokens  (log $VAR_DIR/registry-server.log)
  report-server    127.0.0.1:$REPORT_PORT  TLS + tokens  (log $VAR_DIR/report-server.log)
  earlier runs' logs: *.log.1 (the last) ... *.log.$LOG_KEEP
  development CA $PKI/ca.pem, tokens $AUTH/{reader,editor,admin}.jwt
  (deploy/local/mint-token.sh makes others); from the checkout, e.g.
  $BIN/report-service/reportctl generate --year=$YEAR --format=markdown --language=en --output=/tmp/vkm.md --server=127.0.0.1:$REPORT_PORT
MSG
wait
