#!/usr/bin/env bash
# Configures and builds the project into a persistent build directory
# (default: build/ at the repository root; override with BUILD_DIR).
# Usage: deploy/build.sh [TARGET...]   (no target: everything)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="${JOBS:-2}"

"$ROOT/deploy/deps.sh"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
if [ $# -eq 0 ]; then
  cmake --build "$BUILD_DIR" -j "$JOBS" >&2
else
  cmake --build "$BUILD_DIR" -j "$JOBS" --target "$@" >&2
fi
