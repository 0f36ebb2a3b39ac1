#!/usr/bin/env bash
# deploy.kubernetes_manifests: validates deploy/kubernetes offline with
# kubernetes_validate.mjs (Kubernetes schemas from the npm package
# kubernetes-models, unknown fields, the project's policies, and the flags
# against the built binaries when they exist).
#
# The npm packages (tests/deploy/kubernetes/package.json, pinned by its
# package-lock.json) are installed with `npm ci` into CACHE_DIR, outside the
# source tree, once per lock file; later runs need no network.
#
# Usage: kubernetes_validate.sh SOURCE_DIR CACHE_DIR [BUILD_DIR]
# Needs node (18 or later) and npm: Debian 12's nodejs and npm packages.
set -euo pipefail

source_dir=$1
cache_dir=$2
build_dir=${3:-}
here=$source_dir/tests/deploy/kubernetes

for tool in node npm; do
  command -v "$tool" >/dev/null ||
    { echo "FAIL: $tool not found (apt-get install nodejs npm)"; exit 1; }
done

# Install (again) only when the lock file changed since the last install.
stamp=$cache_dir/package-lock.json
if ! cmp -s "$here/package-lock.json" "$stamp" || [[ ! -d $cache_dir/node_modules ]]; then
  rm -rf "$cache_dir"
  mkdir -p "$cache_dir"
  cp "$here/package.json" "$here/package-lock.json" "$cache_dir/"
  echo "npm ci in $cache_dir"
  # --ignore-scripts: no install scripts of dependencies run here.
  (cd "$cache_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    { rm -rf "$cache_dir"; echo "FAIL: npm ci"; exit 1; }
fi

binaries=()
if [[ -n $build_dir ]]; then
  for program in registry-service/registry-server report-service/report-server \
                 report-service/reportctl; do
    if [[ -x $build_dir/$program ]]; then
      binaries+=("--$(basename "$program")=$build_dir/$program")
    fi
  done
fi

NODE_PATH=$cache_dir/node_modules exec node "$source_dir/tests/deploy/kubernetes_validate.mjs" \
  "$source_dir/deploy/kubernetes" "${binaries[@]}"
