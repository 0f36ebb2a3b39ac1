#!/usr/bin/env bash
# Creates (or replaces) the Secrets of secrets.example.yaml in the namespace
# missions from files, so that no key material is ever written into a
# manifest of this repository.
#
# Usage: deploy/kubernetes/create-secrets.sh DIR [--dry-run]
#   DIR holds (names as deploy/local/dev-pki.sh writes them, so a development
#   PKI can be tried in a test cluster; never use that one in production):
#     ca.pem                          CA bundle: verifies the servers' and the
#                                     client certificates (and PostgreSQL's)
#     registry-server.pem, registry-server-key.pem
#     report-server.pem, report-server-key.pem
#     report-server-client.pem, report-server-client-key.pem
#     reportctl.token                 bearer token of the yearly job
#     database-password               the registry's PostgreSQL password
#     storage-uri                     optional: the libpq URI without password
#                                     (default: the one of secrets.example.yaml)
#   --dry-run   print the Secrets as YAML instead of applying them
# Environment: KUBECTL (default kubectl), NAMESPACE (default missions).
set -euo pipefail

dir=${1:?usage: $0 DIR [--dry-run]}
mode=${2:-apply}
kubectl=${KUBECTL:-kubectl}
namespace=${NAMESPACE:-missions}
default_uri='postgresql://missions@postgresql.missions-db.svc.cluster.local:5432/missions?sslmode=verify-full&sslrootcert=/run/missions/tls/ca.crt'

for f in ca.pem registry-server.pem registry-server-key.pem report-server.pem \
         report-server-key.pem report-server-client.pem report-server-client-key.pem \
         reportctl.token database-password; do
  [[ -s "$dir/$f" ]] || { echo "create-secrets: missing or empty $dir/$f" >&2; exit 1; }
done
uri=$default_uri
if [[ -s "$dir/storage-uri" ]]; then uri=$(<"$dir/storage-uri"); fi
if [[ $uri == *://*:*@* ]]; then
  echo "create-secrets: the storage URI holds a password: put it in database-password" >&2
  exit 1
fi

# Prints one Secret (kubectl create --dry-run=client), labelled like the
# templates.
secret() {
  local app=$1; shift
  "$kubectl" create secret "$@" --namespace="$namespace" --dry-run=client -o yaml |
    "$kubectl" label --local -f - -o yaml \
      "app.kubernetes.io/name=$app" app.kubernetes.io/part-of=missions
}

# A TLS Secret: certificate, key and the CA (kubectl create secret tls takes
# no CA, a generic Secret of type kubernetes.io/tls does).
tls_secret() {
  local app=$1 name=$2 cert=$3 key=$4
  secret "$app" generic "$name" --type=kubernetes.io/tls \
    --from-file=tls.crt="$cert" --from-file=tls.key="$key" --from-file=ca.crt="$dir/ca.pem"
}

all=$(
  tls_secret registry-server registry-server-tls \
    "$dir/registry-server.pem" "$dir/registry-server-key.pem"
  echo ---
  tls_secret report-server report-server-tls \
    "$dir/report-server.pem" "$dir/report-server-key.pem"
  echo ---
  tls_secret report-server report-server-registry-client-tls \
    "$dir/report-server-client.pem" "$dir/report-server-client-key.pem"
  echo ---
  secret registry-server generic registry-database \
    --from-literal=storage-uri="$uri" --from-file=password="$dir/database-password"
  echo ---
  secret reportctl-yearly generic reportctl-token \
    --from-file=token="$dir/reportctl.token" --from-file=ca.crt="$dir/ca.pem"
)

if [[ $mode == --dry-run ]]; then
  echo "$all"
else
  "$kubectl" apply -f - <<<"$all"
fi
