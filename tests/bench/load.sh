#!/usr/bin/env bash
# Builds and runs the closed-loop load benchmark of the real registry-server
# (tests/bench/load_bench_main.cc): loopback only, every phase bounded in
# time and calls. Prints medians of QPS, p50 and p99 against bare echo
# servers measured in the same run, on SQLite and PostgreSQL, the scale
# figures on synthetic registries, and the issue's targets with PASS/MISS.
# Extra arguments go to the benchmark, e.g. --mode=load --tls, or
# --registry_server=PATH to measure another build; --help lists them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR
"$ROOT/deploy/build.sh" load_bench registry-server registryctl
exec "$BUILD_DIR/tests/load_bench" "$@"
