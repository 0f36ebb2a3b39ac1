#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs to build, test and run.
# Idempotent: installs nothing when every package is present. Needs root
# (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake make pkg-config
  # gRPC, protobuf, Abseil
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libssl-dev
  # the development PKI and tokens (deploy/local/dev-pki.sh)
  openssl
  # Google's common protos (google/rpc, google/type)
  golang-github-gogo-googleapis-dev
  # storage and the data file
  libsqlite3-dev sqlite3 libyaml-dev
  # PostgreSQL: libpq for the postgresql:// storage, the server for its tests
  libpq-dev postgresql-15
  # the report's PDF (typeset in process with Pango and cairo) and its fonts
  libpango1.0-dev libcairo2-dev fonts-dejavu-core fonts-dejavu-extra
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the report's tests: pdftotext/pdfinfo read the PDF, xmllint the HTML
  poppler-utils libxml2-utils
  # the Python example of the API guide (and its ctest)
  python3-grpcio python3-protobuf
  # metrics endpoint (cpp-httplib: header + libcpp-httplib.so, via pkg-config)
  # and the Prometheus test (prometheus, promtool; curl)
  libcpp-httplib-dev prometheus curl
  # sd_notify for Type=notify systemd units
  libsystemd-dev
  # the Debian package: man pages from --help; systemd-analyze verify
  help2man systemd
  # the scaled-out tests: a gRPC-aware load balancer in front of two replicas
  haproxy
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# The Kubernetes manifest test runs the npm package kubernetes-models: any
# node 18 or later will do (Debian's nodejs and npm, or one already set up).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
