#!/usr/bin/env bash
# Creates a DEVELOPMENT public-key infrastructure for running both services
# locally with TLS and tokens. Never use any of it in production.
#
# Usage: deploy/local/dev-pki.sh DIR        (run.sh uses DIR=var/local)
#        source deploy/local/dev-pki.sh     (only sets the variables below)
# Idempotent: creates only what is missing, and replaces only what no longer
# fits (a certificate that does not verify against the CA or expires within
# a day, a token that the signing key does not verify or that expires within
# a day). Prints what it creates to standard error. Needs only bash,
# coreutils and the openssl command-line tool.
#
# DIR/pki/  ca.pem, ca-key.pem                 development CA (10 years)
#           registry-server.pem, -key.pem      server certificates, SAN
#           report-server.pem, -key.pem        IP:127.0.0.1 and DNS:localhost
#           report-server-client.pem, -key.pem report-server's client
#                                              certificate, SAN URI
#                                              spiffe://missions.local/report-server
# DIR/auth/ signing-key.pem, jwks.json         RS256 token-signing key, its JWKS
#           reader.jwt, editor.jwt, admin.jwt  development tokens (365 days)
#           README.txt, identities.conf        client certificate identity → roles
# Private keys and tokens are 0600, the directories 0700.
#
# Environment (exported; the servers must be given the same values):
#   MISSIONS_TOKEN_ISSUER    (https://auth.missions.local/dev)
#   MISSIONS_TOKEN_AUDIENCE  (missions-registry; report-server accepts it too)

export MISSIONS_TOKEN_ISSUER="${MISSIONS_TOKEN_ISSUER:-https://auth.missions.local/dev}"
export MISSIONS_TOKEN_AUDIENCE="${MISSIONS_TOKEN_AUDIENCE:-missions-registry}"
# Sourced: only the variables above.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

set -euo pipefail
umask 077

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MINT="$HERE/mint-token.sh"
CA_SUBJECT="/O=Missions registry/CN=Missions registry DEVELOPMENT CA — not for production"
CA_DAYS=3650
LEAF_DAYS=825
TOKEN_DAYS=365
SPIFFE_REPORT_SERVER="spiffe://missions.local/report-server"

case "${1:-}" in
  -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") echo "dev-pki.sh: usage: dev-pki.sh DIR (try --help)" >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { echo "dev-pki.sh: exactly one DIR expected (try --help)" >&2; exit 2; }
command -v openssl >/dev/null || {
  echo "dev-pki.sh: the openssl command-line tool is missing (apt-get install openssl)" >&2; exit 1; }

DIR=$1
PKI="$DIR/pki"
AUTH="$DIR/auth"
mkdir -p "$PKI" "$AUTH"
chmod 700 "$PKI" "$AUTH"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dev-pki.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

note() { echo "dev-pki.sh: $*" >&2; }
# publish TEMP FINAL: moves a finished file into place (atomically).
publish() { mv -f "$1" "$2"; }
# random_serial: a positive 128-bit serial number.
random_serial() { echo "0x$(openssl rand -hex 16)"; }
new_ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# key_ok FILE: FILE exists; a key with a loose mode is tightened.
key_ok() {
  [ -s "$1" ] || return 1
  local mode
  mode=$(stat -L -c '%a' "$1")
  if [ $((8#$mode & 8#077)) -ne 0 ]; then
    chmod 600 "$1"
    note "tightened $1 from mode $mode to 600"
  fi
}
# cert_fits CERT KEY: CERT verifies against the CA, belongs to KEY and does
# not expire within a day.
cert_fits() {
  [ -s "$1" ] || return 1
  openssl verify -CAfile "$PKI/ca.pem" "$1" >/dev/null 2>&1 || return 1
  openssl x509 -in "$1" -noout -checkend 86400 >/dev/null 2>&1 || return 1
  [ "$(openssl x509 -in "$1" -noout -pubkey | openssl dgst -sha256 -r)" = \
    "$(openssl pkey -in "$2" -pubout | openssl dgst -sha256 -r)" ]
}

# --- the CA --------------------------------------------------------------
ca_new=false
if ! key_ok "$PKI/ca-key.pem"; then
  new_ec_key "$TMP/ca-key.pem"
  publish "$TMP/ca-key.pem" "$PKI/ca-key.pem"
  note "created $PKI/ca-key.pem"
  ca_new=true
fi
ca_fits() {
  [ -s "$PKI/ca.pem" ] &&
    openssl x509 -in "$PKI/ca.pem" -noout -checkend 86400 >/dev/null 2>&1 &&
    [ "$(openssl x509 -in "$PKI/ca.pem" -noout -pubkey | openssl dgst -sha256 -r)" = \
      "$(openssl pkey -in "$PKI/ca-key.pem" -pubout | openssl dgst -sha256 -r)" ]
}
if $ca_new || ! ca_fits; then
  cat > "$TMP/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
  openssl req -new -x509 -utf8 -key "$PKI/ca-key.pem" -subj "$CA_SUBJECT" \
    -days "$CA_DAYS" -sha256 -set_serial "$(random_serial)" \
    -config "$TMP/ca.cnf" -extensions ca -out "$TMP/ca.pem"
  publish "$TMP/ca.pem" "$PKI/ca.pem"
  note "created $PKI/ca.pem (development CA, $CA_DAYS days)"
fi

# --- leaf certificates ---------------------------------------------------
# leaf NAME CN EKU SAN: pki/NAME.pem and pki/NAME-key.pem, signed by the CA.
leaf() {
  local name=$1 cn=$2 eku=$3 san=$4
  local key="$PKI/$name-key.pem" cert="$PKI/$name.pem"
  if ! key_ok "$key"; then
    new_ec_key "$TMP/$name-key.pem"
    publish "$TMP/$name-key.pem" "$key"
    note "created $key"
  fi
  cert_fits "$cert" "$key" && return 0
  cat > "$TMP/$name.cnf" <<CNF
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $eku
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  openssl req -new -utf8 -key "$key" -subj "/O=Missions registry (development)/CN=$cn" \
    -out "$TMP/$name.csr"
  openssl x509 -req -in "$TMP/$name.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca-key.pem" \
    -set_serial "$(random_serial)" -days "$LEAF_DAYS" -sha256 \
    -extfile "$TMP/$name.cnf" -extensions leaf -out "$TMP/$name.pem" 2>/dev/null
  publish "$TMP/$name.pem" "$cert"
  note "created $cert ($cn, $eku, $san)"
}
leaf registry-server registry-server serverAuth "IP:127.0.0.1, DNS:localhost"
leaf report-server report-server serverAuth "IP:127.0.0.1, DNS:localhost"
leaf report-server-client report-server clientAuth "URI:$SPIFFE_REPORT_SERVER"

# --- the token-signing key and its JWKS ----------------------------------
signing_new=false
if ! key_ok "$AUTH/signing-key.pem"; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$TMP/signing-key.pem" 2>/dev/null
  publish "$TMP/signing-key.pem" "$AUTH/signing-key.pem"
  note "created $AUTH/signing-key.pem (RSA 2048, RS256)"
  signing_new=true
fi

# hex_to_b64url HEX: the bytes HEX spells, in unpadded base64url.
hex_to_b64url() {
  local hex=$1
  [ $(( ${#hex} % 2 )) -eq 0 ] || hex="0$hex"
  # shellcheck disable=SC2059  # the format is the escaped bytes
  printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64 -w0 | tr '+/' '-_' | tr -d '='
}
kid=$("$MINT" --key "$AUTH/signing-key.pem" --print-kid)
if $signing_new || [ ! -s "$AUTH/jwks.json" ] || ! grep -q "\"kid\":\"$kid\"" "$AUTH/jwks.json"; then
  modulus=$(openssl rsa -in "$AUTH/signing-key.pem" -noout -modulus 2>/dev/null | sed 's/^Modulus=//')
  exponent=$(openssl rsa -in "$AUTH/signing-key.pem" -noout -text 2>/dev/null |
    sed -n 's/^publicExponent: \([0-9]*\).*/\1/p')
  n=$(hex_to_b64url "$modulus")
  e=$(hex_to_b64url "$(printf '%x' "$exponent")")
  printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"%s","n":"%s","e":"%s"}]}\n' \
    "$kid" "$n" "$e" > "$TMP/jwks.json"
  publish "$TMP/jwks.json" "$AUTH/jwks.json"
  note "created $AUTH/jwks.json (kid $kid)"
fi

# --- development tokens --------------------------------------------------
# token_fits FILE: FILE is a token this signing key verifies, for this
# issuer and audience, not expiring within a day.
b64url_decode() {
  local s
  s=$(printf '%s' "$1" | tr '_-' '/+')
  case $(( ${#s} % 4 )) in 2) s+="==" ;; 3) s+="=" ;; esac
  printf '%s' "$s" | base64 -d 2>/dev/null
}
token_fits() {
  [ -s "$1" ] || return 1
  local token header payload signature exp
  token=$(cat "$1")
  IFS=. read -r header payload signature <<< "$token"
  [ -n "$signature" ] || return 1
  openssl pkey -in "$AUTH/signing-key.pem" -pubout -out "$TMP/signing-pub.pem" 2>/dev/null
  b64url_decode "$signature" > "$TMP/token.sig"
  printf '%s.%s' "$header" "$payload" |
    openssl dgst -sha256 -verify "$TMP/signing-pub.pem" -signature "$TMP/token.sig" >/dev/null 2>&1 ||
    return 1
  local claims
  claims=$(b64url_decode "$payload")
  [[ "$claims" == *"\"iss\":\"$MISSIONS_TOKEN_ISSUER\""* ]] || return 1
  [[ "$claims" == *"\"aud\":\"$MISSIONS_TOKEN_AUDIENCE\""* ]] || return 1
  exp=$(printf '%s' "$claims" | sed -n 's/.*"exp":\([0-9]*\).*/\1/p')
  [ -n "$exp" ] && [ "$exp" -gt $(( $(date +%s) + 86400 )) ]
}
# token NAME SUBJECT DISPLAY-NAME ROLES
token() {
  local file="$AUTH/$1.jwt"
  token_fits "$file" && return 0
  "$MINT" --key "$AUTH/signing-key.pem" --subject "$2" --name "$3" --roles "$4" \
    --days "$TOKEN_DAYS" --issuer "$MISSIONS_TOKEN_ISSUER" \
    --audience "$MISSIONS_TOKEN_AUDIENCE" --claim dev=true > "$TMP/$1.jwt"
  publish "$TMP/$1.jwt" "$file"
  note "created $file (sub $2, roles $4, $TOKEN_DAYS days)"
}
token reader dev-reader "Development reader" reader
token editor dev-editor "Development editor" reader,editor
token admin dev-admin "Development administrator" reader,editor,admin

if [ ! -s "$AUTH/README.txt" ]; then
  cat > "$TMP/README.txt" <<TXT
DEVELOPMENT TOKENS AND KEYS - NOT FOR PRODUCTION

Made by deploy/local/dev-pki.sh for running the services locally.

reader.jwt, editor.jwt, admin.jwt are development bearer tokens (JWT, RS256)
for the subjects dev-reader, dev-editor and dev-admin, with the roles
[reader], [reader, editor] and [reader, editor, admin], the claim
"dev": true, issuer $MISSIONS_TOKEN_ISSUER and
audience $MISSIONS_TOKEN_AUDIENCE, valid $TOKEN_DAYS days.
They are signed with signing-key.pem; jwks.json holds its public key, which
the servers are given to verify tokens. Anyone with signing-key.pem can mint
any token (deploy/local/mint-token.sh --help).

identities.conf maps client certificate identities (mutual TLS) to roles.
TXT
  publish "$TMP/README.txt" "$AUTH/README.txt"
  note "created $AUTH/README.txt"
fi

if [ ! -s "$AUTH/identities.conf" ]; then
  cat > "$TMP/identities.conf" <<CONF
# Client certificate identities and the roles they are granted (mutual TLS).
# Format, one identity per line:
#   identity role[,role...]
# identity is as ClientCertificateIdentities (proto/common/tls.h) reports
# it: uri:<SAN URI>, dns:<SAN DNS name>, or cn:<subject common name> for a
# certificate without either. Blank lines and lines starting with # are
# ignored. DEVELOPMENT configuration (deploy/local/dev-pki.sh).
uri:$SPIFFE_REPORT_SERVER reader
CONF
  publish "$TMP/identities.conf" "$AUTH/identities.conf"
  note "created $AUTH/identities.conf"
fi
