#!/usr/bin/env bash
# Builds the project and runs the whole test suite through ctest.
# Installs missing Debian packages first (deploy/deps.sh).
# Extra arguments go to ctest, e.g. tests/run.sh -R EndToEnd
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR

"$ROOT/deploy/build.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j "${JOBS:-2}" --timeout 600 "$@"
