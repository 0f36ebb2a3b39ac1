#!/usr/bin/env bash
# End to end: the Python example of the API guide
# (registry-service/docs/examples/registry_client.py) against the real
# registry-server, loaded with the 2020 data through registryctl.
#
# Usage: python_example_test.sh REGISTRY_SERVER REGISTRYCTL
# Needs Debian's python3-grpcio and python3-protobuf (deploy/deps.sh) and
# protoc with grpc_python_plugin (protobuf-compiler-grpc).
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

if ! "$python" -c 'import grpc, google.protobuf' 2>/dev/null; then
  echo "FAIL: $python cannot import grpc and google.protobuf;" \
       "install python3-grpcio python3-protobuf (deploy/deps.sh)" >&2
  exit 1
fi

"$server_bin" --listen=127.0.0.1:0 --storage="sqlite:$work/registry.db" \
  2>"$work/server.log" &
server_pid=$!

address=""
for _ in $(seq 300); do
  address=$(sed -n 's/^registry-server listening on \([^ ]*\).*/\1/p' "$work/server.log" | head -n 1)
  [ -n "$address" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "FAIL: registry-server exited:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$address" ]; then
  echo "FAIL: registry-server did not report its address within 30 s:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "registry-server listening on $address"

"$registryctl_bin" --server="$address" import "$root/registry-service/data/vkm-2020.yaml"

status=0
"$python" "$root/registry-service/docs/examples/registry_client.py" \
  --server="$address" --proto_dir="$root/proto" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: the example exited with $status; server log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "PASS"
