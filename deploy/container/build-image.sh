#!/usr/bin/env bash
# Builds the container image of deploy/container/Containerfile without a
# container registry or a container runtime, then smoke-tests it:
#
#   1. a Debian 12 (bookworm) root file system from Debian's archive with
#      debootstrap (minbase), cached under $CACHE/debian-bookworm/;
#   2. imported into podman as localhost/debian-base:bookworm (the
#      Containerfile's BASE_IMAGE);
#   3. podman build --isolation=chroot (works as root where `podman run` has
#      no runtime), tagged localhost/missions-registry:VERSION and :dev;
#   4. the image's file system exported (podman create + podman export) to
#      $CACHE/image/rootfs, and the smoke test run there under chroot as the
#      image's user 10001: each program's --help and --version, the absence of
#      secrets, then registry-server (SQLite, --insecure, loopback, port 0)
#      seeded with registryctl, report-server, and reportctl generating the
#      2020 report in every format (the PDF proves the fonts are there).
#
# Usage: deploy/container/build-image.sh [--smoke-only] [--no-smoke]
#   --smoke-only   skip 1-3 and test the image already built
#   --no-smoke     build only
# Environment: JOBS (compile jobs, default 2), IMAGE (default
#   localhost/missions-registry), MISSIONS_IMAGE_CACHE (default
#   ${XDG_CACHE_HOME:-$HOME/.cache}/missions), DEBIAN_MIRROR (default
#   http://deb.debian.org/debian), NO_CACHE=1 (podman build --no-cache: every
#   layer again, e.g. for security updates of the Debian packages).
# Needs root (debootstrap, chroot, podman's storage); installs podman and
# debootstrap with apt-get when missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
cache=${MISSIONS_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/missions}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base_image=localhost/debian-base:bookworm
image=${IMAGE:-localhost/missions-registry}
jobs=${JOBS:-2}
version=$(sed -n 's/^project(missions VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
revision=$(git -C "$source_dir" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)

build=1 smoke=1
for arg in "$@"; do
  case $arg in
    --smoke-only) build=0 ;;
    --no-smoke) smoke=0 ;;
    *) echo "usage: $0 [--smoke-only] [--no-smoke]" >&2; exit 2 ;;
  esac
done

log() { echo "build-image: $(date -u +%H:%M:%S) $*" >&2; }
die() { echo "build-image: FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap, chroot and podman's storage need it)"

# --- tools ---------------------------------------------------------------------
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# --- 1. Debian 12 base (debootstrap, cached) --------------------------------------
base_dir=$cache/debian-bookworm
make_base() {
  if [[ -f "$base_dir/.complete" ]]; then
    log "base: cached $base_dir/rootfs"
    return
  fi
  log "base: debootstrap bookworm from $mirror"
  rm -rf "$base_dir"
  mkdir -p "$base_dir"
  debootstrap --variant=minbase --include=ca-certificates bookworm \
    "$base_dir/rootfs" "$mirror" >"$base_dir/debootstrap.log" 2>&1 ||
    { tail -20 "$base_dir/debootstrap.log" >&2; die "debootstrap (log: $base_dir/debootstrap.log)"; }
  # Point apt at updates and security fixes too, as Debian's own images do.
  rm -f "$base_dir/rootfs/etc/apt/sources.list"
  cat >"$base_dir/rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # No package cache, lists or logs in the base.
  rm -rf "$base_dir"/rootfs/var/cache/apt/archives/*.deb \
         "$base_dir"/rootfs/var/lib/apt/lists/* "$base_dir"/rootfs/var/log/* \
         "$base_dir"/rootfs/dev/*
  touch "$base_dir/.complete"
}

import_base() {
  if podman image exists "$base_image" &&
     [[ "$base_dir/.imported" -nt "$base_dir/.complete" ]]; then
    log "base: $base_image already imported"
    return
  fi
  log "base: podman import -> $base_image"
  tar --numeric-owner -C "$base_dir/rootfs" -c . |
    podman import --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
  touch "$base_dir/.imported"
}

# --- 3. image build ---------------------------------------------------------------
build_image() {
  log "podman build $image:$version (revision $revision, $jobs jobs)"
  local started=$SECONDS
  local cache_flag=()
  if [[ ${NO_CACHE:-0} == 1 ]]; then cache_flag=(--no-cache); fi
  podman build --isolation=chroot --pull=never "${cache_flag[@]}" \
    -f "$here/Containerfile" --ignorefile "$here/.containerignore" \
    --build-arg BASE_IMAGE="$base_image" --build-arg JOBS="$jobs" \
    --build-arg SOURCE_REVISION="$revision" \
    -t "$image:$version" -t "$image:dev" "$source_dir"
  log "podman build took $((SECONDS - started)) s"
  podman image ls "$image"
}

# --- 4. export and smoke test -------------------------------------------------------
rootfs=$cache/image/rootfs
export_image() {
  log "export $image:$version -> $rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  local container
  container=$(podman create "$image:$version")
  podman export "$container" | tar --numeric-owner -C "$rootfs" -x
  podman rm "$container" >/dev/null
  # The image's metadata (user, entrypoint) for the checks below.
  podman image inspect --format '{{.Config.User}} {{json .Config.Entrypoint}}' \
    "$image:$version" >"$cache/image/config"
}

mounted=()
server_pids=()
cleanup() {
  local pid m
  for pid in "${server_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for ((m = ${#mounted[@]} - 1; m >= 0; m--)); do umount -l "${mounted[m]}" 2>/dev/null || true; done
}
trap cleanup EXIT

# Runs a program of the image under chroot as the image's user 10001. The
# servers are started with `chroot ... &` directly instead (not through this
# function, which would run in a subshell): $! is then the server itself
# (chroot execs it), so that SIGTERM reaches the server.
in_image() { chroot --userspec=10001:10001 "$rootfs" "$@"; }

# Waits until FILE has a line matching REGEX (a server's start-up line).
wait_for_line() {
  local file=$1 regex=$2 pid=$3 i
  for ((i = 0; i < 100; i++)); do
    if grep -qE "$regex" "$file"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; die "server exited: $file"; }
    sleep 0.2
  done
  cat "$file" >&2
  die "no '$regex' in $file after 20 s"
}

smoke_test() {
  log "smoke test in $rootfs"
  local config user entrypoint
  config=$(cat "$cache/image/config")
  user=${config%% *}
  entrypoint=${config#* }
  [[ $user == 10001:10001 ]] || die "image USER is '$user', expected 10001:10001"
  [[ $entrypoint == '["/usr/bin/registry-server"]' ]] || die "ENTRYPOINT is $entrypoint"
  echo "image user $user, entrypoint $entrypoint"

  # No key material, tokens or development state baked in.
  local secrets
  secrets=$(grep -rlE -- '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' \
    "$rootfs/usr/bin" "$rootfs/var/lib/missions" "$rootfs/etc" 2>/dev/null | grep -v '^$' || true)
  [[ -z $secrets ]] || die "private keys in the image: $secrets"
  [[ ! -e $rootfs/var/local/pki && ! -e $rootfs/src && ! -e $rootfs/build ]] ||
    die "build tree or development PKI in the image"
  # No compiler or -dev packages in the runtime image.
  [[ ! -e $rootfs/usr/bin/g++ && ! -e $rootfs/usr/include/grpcpp ]] || die "build tools in the runtime image"

  # The programs start without a shell, /proc or /dev: --help and --version.
  local program out
  for program in registry-server registryctl report-server reportctl; do
    out=$(in_image "/usr/bin/$program" --help 2>&1) || die "$program --help: $out"
    grep -q -- '--' <<<"$out" || die "$program --help printed no flags"
    out=$(in_image "/usr/bin/$program" --version 2>&1) || die "$program --version: $out"
    echo "$program --version: $(head -1 <<<"$out")"
    grep -q "$version" <<<"$out" || die "$program --version lacks $version"
  done
  # The flags the Kubernetes manifests use are known to the programs.
  # (--helpfull may exit non-zero: keep its output, not its status.)
  local flag helpfull
  helpfull=$(in_image /usr/bin/registry-server --helpfull 2>&1 || true)
  for flag in listen storage tls_cert tls_key client_ca require_client_cert identities \
              jwks jwt_issuer jwt_audience metrics_listen drain log_level; do
    grep -qE -- "^ +--$flag\b" <<<"$helpfull" || die "registry-server has no --$flag"
  done
  helpfull=$(in_image /usr/bin/report-server --helpfull 2>&1 || true)
  for flag in listen registry registry_ca registry_cert registry_key tls_cert tls_key \
              jwks jwt_issuer jwt_audience metrics_listen drain log_level; do
    grep -qE -- "^ +--$flag\b" <<<"$helpfull" || die "report-server has no --$flag"
  done

  # Both servers for real: loopback only, --insecure, SQLite in /tmp.
  mount -t proc proc "$rootfs/proc"; mounted+=("$rootfs/proc")
  mount --bind /dev "$rootfs/dev"; mounted+=("$rootfs/dev")
  local work=/tmp/smoke.$$
  mkdir -p "$rootfs$work"
  chown 10001:10001 "$rootfs$work"
  cp "$source_dir/registry-service/data/vkm-2020.yaml" "$rootfs$work/vkm-2020.yaml"
  chmod 0644 "$rootfs$work/vkm-2020.yaml"

  chroot --userspec=10001:10001 "$rootfs" /usr/bin/registry-server --insecure --listen=127.0.0.1:0 \
    --storage="sqlite:$work/registry.db" --metrics_listen=127.0.0.1:0 --drain=0s \
    >"$rootfs$work/registry.log" 2>&1 &
  server_pids+=($!)
  local registry_pid=$!
  wait_for_line "$rootfs$work/registry.log" 'registry-server listening on' "$registry_pid"
  local registry_port
  registry_port=$(sed -n 's/.*registry-server listening on [^ ]*:\([0-9]*\) .*/\1/p' \
    "$rootfs$work/registry.log" | head -1)
  [[ -n $registry_port ]] || { cat "$rootfs$work/registry.log"; die "no port in the start-up line"; }
  echo "registry-server: $(grep 'listening on' "$rootfs$work/registry.log")"

  in_image /usr/bin/registryctl --plaintext --server="127.0.0.1:$registry_port" \
    import "$work/vkm-2020.yaml" >"$rootfs$work/import.log" 2>&1 ||
    { cat "$rootfs$work/import.log"; die "registryctl import"; }
  echo "registryctl import: $(tail -1 "$rootfs$work/import.log")"

  chroot --userspec=10001:10001 "$rootfs" /usr/bin/report-server --insecure --listen=127.0.0.1:0 \
    --registry="127.0.0.1:$registry_port" --registry_plaintext \
    --metrics_listen=127.0.0.1:0 --drain=0s >"$rootfs$work/report.log" 2>&1 &
  server_pids+=($!)
  local report_pid=$!
  wait_for_line "$rootfs$work/report.log" 'listening on' "$report_pid"
  local report_port
  report_port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$rootfs$work/report.log" | head -1)
  echo "report-server: $(grep 'listening on' "$rootfs$work/report.log")"

  mkdir -p "$rootfs$work/reports"
  chown 10001:10001 "$rootfs$work/reports"
  in_image /usr/bin/reportctl --plaintext --server="127.0.0.1:$report_port" generate \
    --year=2020 --format=all --language=all --output="$work/reports" \
    >"$rootfs$work/generate.log" 2>&1 ||
    { cat "$rootfs$work/generate.log"; die "reportctl generate"; }
  local pdf=$rootfs$work/reports/vkm-2020-nl.pdf
  [[ -s $pdf ]] || { ls -l "$rootfs$work/reports"; die "no vkm-2020-nl.pdf"; }
  head -c 5 "$pdf" | grep -q '%PDF-' || die "vkm-2020-nl.pdf is not a PDF"
  # The PDF embeds the DejaVu fonts from the image (fontconfig found them).
  grep -aq 'DejaVu' "$pdf" || die "vkm-2020-nl.pdf embeds no DejaVu font"
  echo "reportctl generate: $(ls "$rootfs$work/reports" | wc -l) files," \
       "vkm-2020-nl.pdf $(stat -c %s "$pdf") bytes"

  # SIGTERM stops both servers (exit 0) after their drain.
  local pid status
  for pid in "$report_pid" "$registry_pid"; do
    kill -TERM "$pid"
    status=0; wait "$pid" || status=$?
    [[ $status -eq 0 ]] || die "server $pid exited $status after SIGTERM"
  done
  server_pids=()
  rm -rf "${rootfs:?}$work"
  log "smoke test (plaintext) passed"
}

# The Kubernetes layout (deploy/kubernetes/): TLS and tokens from a
# throwaway development PKI (deploy/local/dev-pki.sh), Secret files as the
# kubelet leaves them with fsGroup (root:10001, mode 0440), copied by the
# init containers' exact command (install -m 0400) and served with the
# manifests' flags; registryctl, report-server's mutual TLS to the registry
# and reportctl with MISSIONS_CA and MISSIONS_TOKEN_FILE.
smoke_test_tls() {
  log "smoke test (TLS, Kubernetes file layout)"
  local pki=$cache/image/pki
  rm -rf "$pki"
  # Sourced for the issuer and audience only; run to create the files.
  bash "$source_dir/deploy/local/dev-pki.sh" "$pki" 2>/dev/null
  # shellcheck source=/dev/null
  source "$source_dir/deploy/local/dev-pki.sh"
  local work=/tmp/smoke-tls.$$
  local w=$rootfs$work
  mkdir -p "$w"
  chown 10001:10001 "$w"
  # "Secret volumes": root:10001, 0440.
  secret_volume() {
    local name=$1; shift
    mkdir -p "$w/$name"
    while [[ $# -gt 0 ]]; do cp "$1" "$w/$name/$2"; shift 2; done
    chown -R 0:10001 "$w/$name"
    chmod 0750 "$w/$name"
    chmod 0440 "$w/$name"/*
  }
  secret_volume registry-tls-secret "$pki/pki/registry-server.pem" tls.crt \
    "$pki/pki/registry-server-key.pem" tls.key "$pki/pki/ca.pem" ca.crt
  secret_volume report-tls-secret "$pki/pki/report-server.pem" tls.crt \
    "$pki/pki/report-server-key.pem" tls.key "$pki/pki/ca.pem" ca.crt
  secret_volume registry-client-secret "$pki/pki/report-server-client.pem" tls.crt \
    "$pki/pki/report-server-client-key.pem" tls.key "$pki/pki/ca.pem" ca.crt
  secret_volume token-secret "$pki/auth/reader.jwt" token "$pki/pki/ca.pem" ca.crt
  secret_volume editor-token-secret "$pki/auth/admin.jwt" token "$pki/pki/ca.pem" ca.crt
  # "ConfigMap": world-readable, as the kubelet writes it.
  mkdir -p "$w/config"
  cp "$pki/auth/jwks.json" "$w/config/jwks.json"
  printf '# identity role\nuri:spiffe://missions.local/report-server reader\n' >"$w/config/identities.conf"
  chmod 0644 "$w/config"/*
  cp "$source_dir/registry-service/data/vkm-2020.yaml" "$w/vkm-2020.yaml"
  chmod 0644 "$w/vkm-2020.yaml"

  # The init containers: /usr/bin/install -m 0400 -t DIR FILES, as 10001.
  local from to f
  for from in registry-tls-secret report-tls-secret registry-client-secret \
              token-secret editor-token-secret; do
    to=${from%-secret}
    in_image /usr/bin/mkdir "$work/$to"
    local files=()
    for f in "$w/$from"/*; do files+=("$work/$from/${f##*/}"); done
    in_image /usr/bin/install -m 0400 -t "$work/$to" "${files[@]}" ||
      die "install -m 0400 from the 0440 secret volume $from"
  done
  [[ $(stat -c '%u %a' "$w/registry-tls/tls.key") == "10001 400" ]] ||
    die "copied key is $(stat -c '%u %a' "$w/registry-tls/tls.key"), expected 10001 400"

  local common=(--jwks="$work/config/jwks.json" --jwt_issuer="$MISSIONS_TOKEN_ISSUER"
                --jwt_audience="$MISSIONS_TOKEN_AUDIENCE" --metrics_listen=127.0.0.1:0
                --drain=1s --log_level=info)
  # The key straight from the 0440 Secret volume is refused (why the init
  # containers exist).
  local out
  if out=$(in_image /usr/bin/registry-server --listen=127.0.0.1:0 \
        --storage="sqlite:$work/refused.db" --tls_cert="$work/registry-tls-secret/tls.crt" \
        --tls_key="$work/registry-tls-secret/tls.key" "${common[@]}" 2>&1); then
    die "registry-server accepted a 0440 private key"
  fi
  grep -q '0440' <<<"$out" || die "registry-server refused the 0440 key without naming the mode: $out"
  echo "0440 key from the Secret volume refused: $(grep -o 'has mode 0440[^"]*' <<<"$out" | head -1)"

  chroot --userspec=10001:10001 "$rootfs" /usr/bin/registry-server --listen=127.0.0.1:0 \
    --storage="sqlite:$work/registry.db" \
    --tls_cert="$work/registry-tls/tls.crt" --tls_key="$work/registry-tls/tls.key" \
    --client_ca="$work/registry-tls/ca.crt" --require_client_cert=false \
    --identities="$work/config/identities.conf" "${common[@]}" \
    >"$w/registry.log" 2>&1 &
  server_pids+=($!)
  local registry_pid=$!
  wait_for_line "$w/registry.log" 'registry-server listening on' "$registry_pid"
  local registry_port
  registry_port=$(sed -n 's/.*registry-server listening on [^ ]*:\([0-9]*\) .*/\1/p' "$w/registry.log" | head -1)
  echo "registry-server (TLS): $(grep -o 'listening on [^"]*' "$w/registry.log" | head -1)"

  MISSIONS_CA="$work/editor-token/ca.crt" MISSIONS_TOKEN_FILE="$work/editor-token/token" \
    in_image /usr/bin/registryctl --server="localhost:$registry_port" \
    import "$work/vkm-2020.yaml" >"$w/import.log" 2>&1 ||
    { cat "$w/import.log"; die "registryctl import over TLS with a token file"; }
  echo "registryctl import (TLS, token file): $(tail -1 "$w/import.log" | cut -c1-80)"

  chroot --userspec=10001:10001 "$rootfs" /usr/bin/report-server --listen=127.0.0.1:0 \
    --registry="localhost:$registry_port" --registry_ca="$work/registry-client/ca.crt" \
    --registry_cert="$work/registry-client/tls.crt" --registry_key="$work/registry-client/tls.key" \
    --tls_cert="$work/report-tls/tls.crt" --tls_key="$work/report-tls/tls.key" "${common[@]}" \
    >"$w/report.log" 2>&1 &
  server_pids+=($!)
  local report_pid=$!
  wait_for_line "$w/report.log" 'report-server listening on' "$report_pid"
  local report_port
  report_port=$(sed -n 's/.*report-server listening on [^ ]*:\([0-9]*\).*/\1/p' "$w/report.log" | head -1)

  mkdir -p "$w/reports"
  chown 10001:10001 "$w/reports"
  MISSIONS_CA="$work/token/ca.crt" MISSIONS_TOKEN_FILE="$work/token/token" \
    in_image /usr/bin/reportctl --server="localhost:$report_port" generate --year=2020 \
    --format=pdf,annex2-csv --language=nl --output="$work/reports" >"$w/generate.log" 2>&1 ||
    { cat "$w/generate.log" "$w/report.log" | tail -20; die "reportctl generate over TLS (reader token, mTLS to the registry)"; }
  [[ -s $w/reports/vkm-2020-nl.pdf ]] || { ls -l "$w/reports"; die "no vkm-2020-nl.pdf over TLS"; }
  echo "reportctl generate (TLS, reader token; report-server -> registry mTLS): $(ls "$w/reports" | tr '\n' ' ')"

  local pid status
  for pid in "$report_pid" "$registry_pid"; do
    kill -TERM "$pid"
    status=0; wait "$pid" || status=$?
    [[ $status -eq 0 ]] || die "server $pid exited $status after SIGTERM (TLS)"
  done
  server_pids=()
  rm -rf "${w:?}"
  log "smoke test (TLS, Kubernetes file layout) passed"
}

if [[ $build -eq 1 ]]; then
  make_base
  import_base
  build_image
fi
if [[ $smoke -eq 1 ]]; then
  export_image
  smoke_test
  smoke_test_tls
fi
