#!/usr/bin/env bash
# Builds and runs the registry benchmarks (loopback only, bounded in time)
# and prints median times and their ratio to a bare gRPC echo server
# measured in the same run. Extra arguments go to the benchmark binary,
# e.g. --benchmark_filter=GetMission.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR
"$ROOT/deploy/build.sh" registry_bench
exec "$BUILD_DIR/tests/registry_bench" "$@"
