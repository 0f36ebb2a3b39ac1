#!/usr/bin/env bash
# End to end: the Python example of the API guide
# (registry-service/docs/examples/registry_client.py) against the real
# registry-server with TLS and bearer tokens, loaded with the 2020 data
# through registryctl.
#
# A development PKI is made in a temporary directory
# (deploy/local/dev-pki.sh); the server gets its certificate and the JWKS,
# registryctl imports with the admin token, the example runs with the
# editor token (it writes and reads the audit log). Then, as a client
# developer would meet them: without a token the example fails with
# UNAUTHENTICATED, and with the reader token its first write fails with
# PERMISSION_DENIED naming the role editor.
#
# Usage: python_example_test.sh REGISTRY_SERVER REGISTRYCTL
# Needs Debian's python3-grpcio and python3-protobuf (deploy/deps.sh),
# protoc with grpc_python_plugin (protobuf-compiler-grpc) and openssl.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 REGISTRY_SERVER REGISTRYCTL" >&2
  exit 2
fi
server_bin=$1
registryctl_bin=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Debian's interpreter: python3-grpcio installs for it, whatever python3
# comes first on PATH.
python=/usr/bin/python3
example="$root/registry-service/docs/examples/registry_client.py"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
  echo "FAIL: $*" >&2
  echo "--- server log:" >&2
  cat "$work/server.log" >&2 || true
  exit 1
}

if ! "$python" -c 'import grpc, google.protobuf' 2>/dev/null; then
  echo "FAIL: $python cannot import grpc and google.protobuf;" \
       "install python3-grpcio python3-protobuf (deploy/deps.sh)" >&2
  exit 1
fi

# The settings of the caller's environment must not leak into the test.
unset MISSIONS_CA MISSIONS_TOKEN MISSIONS_TOKEN_FILE

# A throwaway PKI and token issuer; sourcing the script only sets
# MISSIONS_TOKEN_ISSUER and MISSIONS_TOKEN_AUDIENCE.
"$root/deploy/local/dev-pki.sh" "$work/var" 2>"$work/dev-pki.log" ||
  { cat "$work/dev-pki.log" >&2; echo "FAIL: dev-pki.sh failed" >&2; exit 1; }
# shellcheck source=../../deploy/local/dev-pki.sh
source "$root/deploy/local/dev-pki.sh"
pki="$work/var/pki"
auth="$work/var/auth"

"$server_bin" --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 --drain=0s --storage="sqlite:$work/registry.db" \
  --tls_cert="$pki/registry-server.pem" --tls_key="$pki/registry-server-key.pem" \
  --jwks="$auth/jwks.json" --jwt_issuer="$MISSIONS_TOKEN_ISSUER" \
  --jwt_audience="$MISSIONS_TOKEN_AUDIENCE" \
  2>"$work/server.log" &
server_pid=$!

address=""
for _ in $(seq 300); do
  address=$(sed -n 's/.*registry-server listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
  [ -n "$address" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    fail "registry-server exited"
  fi
  sleep 0.1
done
[ -n "$address" ] || fail "registry-server did not report its address within 30 s"
echo "registry-server listening on $address"

# Importing a whole dataset needs the admin role.
MISSIONS_CA="$pki/ca.pem" MISSIONS_TOKEN_FILE="$auth/admin.jwt" \
  "$registryctl_bin" --server="$address" import "$root/registry-service/data/vkm-2020.yaml" ||
  fail "registryctl import failed"

# The walk: TLS with the development CA, the editor's token.
status=0
MISSIONS_CA="$pki/ca.pem" MISSIONS_TOKEN_FILE="$auth/editor.jwt" \
  "$python" "$example" --server="$address" --proto_dir="$root/proto" \
  >"$work/example.out" 2>"$work/example.err" || status=$?
cat "$work/example.out"
if [ "$status" -ne 0 ]; then
  cat "$work/example.err" >&2
  fail "the example exited with $status"
fi
grep -q "principal 'dev-editor' (the token's subject)" "$work/example.out" ||
  fail "the example did not find the token's subject in the audit log"

# expect_refusal NAME CODE PATTERN [ENV...]: the example, run with the
# environment ENV, exits with 1 and reports CODE and PATTERN.
expect_refusal() {
  local name=$1 code=$2 pattern=$3
  shift 3
  local refused=0
  env "$@" "$python" "$example" --server="$address" --proto_dir="$root/proto" \
    >"$work/$name.out" 2>"$work/$name.err" || refused=$?
  if [ "$refused" -ne 1 ] || ! grep -q "$code" "$work/$name.err" ||
     ! grep -q "$pattern" "$work/$name.err"; then
    cat "$work/$name.out" "$work/$name.err" >&2
    fail "$name: expected exit status 1 with $code ($pattern), got $refused"
  fi
  echo "$name: $(grep "$code" "$work/$name.err")"
}

# Without a token: TLS works, the first call is refused.
expect_refusal no-token UNAUTHENTICATED "missing credentials" MISSIONS_CA="$pki/ca.pem"
# The reader's token reads, but may not write.
expect_refusal reader-token PERMISSION_DENIED "needs role editor" \
  MISSIONS_CA="$pki/ca.pem" MISSIONS_TOKEN_FILE="$auth/reader.jwt"
# Tokens never appear in the server's log.
for token_file in "$auth"/*.jwt; do
  if grep -qF "$(cut -d. -f3 "$token_file")" "$work/server.log"; then
    fail "the server log contains a token ($token_file)"
  fi
done
echo "PASS"
