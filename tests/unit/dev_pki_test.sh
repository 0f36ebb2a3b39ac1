#!/usr/bin/env bash
# deploy/local/dev-pki.sh and mint-token.sh from the shell: what they
# create, idempotence, repair of stale files, and the tokens verified with
# `openssl dgst -verify`.
# Usage: tests/unit/dev_pki_test.sh [SOURCE_DIR]
set -euo pipefail

SRC="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PKI_SH="$SRC/deploy/local/dev-pki.sh"
MINT="$SRC/deploy/local/mint-token.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dev_pki_test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DIR="$WORK/var"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null; then echo "ok: $what"; else fail "$what"; fi; }

b64url_decode() {
  local s
  s=$(printf '%s' "$1" | tr '_-' '/+')
  case $(( ${#s} % 4 )) in 2) s+="==" ;; 3) s+="=" ;; 1) return 1 ;; esac
  printf '%s' "$s" | base64 -d
}
# verify_token FILE PUBKEY: the RS256 signature of FILE verifies with PUBKEY.
verify_token() {
  local header payload signature
  IFS=. read -r header payload signature < "$1"
  [ -n "$signature" ] || return 1
  b64url_decode "$signature" > "$WORK/sig"
  printf '%s.%s' "$header" "$payload" |
    openssl dgst -sha256 -verify "$2" -signature "$WORK/sig" >/dev/null
}
claims() { local p; IFS=. read -r _ p _ < "$1"; b64url_decode "$p"; }
mode() { stat -c '%a' "$1"; }

# --- first run ----------------------------------------------------------
"$PKI_SH" "$DIR" 2> "$WORK/first.err"
check "first run reports what it created" grep -q "created $DIR/pki/ca.pem" "$WORK/first.err"
for f in pki/ca.pem pki/ca-key.pem pki/registry-server.pem pki/registry-server-key.pem \
         pki/report-server.pem pki/report-server-key.pem pki/report-server-client.pem \
         pki/report-server-client-key.pem auth/signing-key.pem auth/jwks.json \
         auth/reader.jwt auth/editor.jwt auth/admin.jwt auth/README.txt auth/identities.conf; do
  check "$f exists" test -s "$DIR/$f"
done
for d in pki auth; do check "$d is 0700" test "$(mode "$DIR/$d")" = 700; done
for f in pki/ca-key.pem pki/registry-server-key.pem pki/report-server-key.pem \
         pki/report-server-client-key.pem auth/signing-key.pem; do
  check "$f is 0600" test "$(mode "$DIR/$f")" = 600
done

CA="$DIR/pki/ca.pem"
check "CA subject says development" sh -c \
  "openssl x509 -in '$CA' -noout -subject -nameopt utf8 | grep -q 'Missions registry DEVELOPMENT CA — not for production'"
check "CA valid for about 10 years" openssl x509 -in "$CA" -noout -checkend $((3649 * 86400))
for cert in registry-server report-server; do
  check "$cert verifies as a TLS server" \
    openssl verify -CAfile "$CA" -purpose sslserver "$DIR/pki/$cert.pem"
  check "$cert has the loopback SANs" sh -c \
    "openssl x509 -in '$DIR/pki/$cert.pem' -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1, DNS:localhost'"
done
check "report-server-client verifies as a TLS client" \
  openssl verify -CAfile "$CA" -purpose sslclient "$DIR/pki/report-server-client.pem"
check "report-server-client is not a server certificate" \
  bash -c "! openssl verify -CAfile '$CA' -purpose sslserver '$DIR/pki/report-server-client.pem' >/dev/null 2>&1"
check "report-server-client has the SPIFFE URI" sh -c \
  "openssl x509 -in '$DIR/pki/report-server-client.pem' -noout -ext subjectAltName | grep -q 'URI:spiffe://missions.local/report-server'"
check "identities.conf maps report-server to reader" \
  grep -qx 'uri:spiffe://missions.local/report-server reader' "$DIR/auth/identities.conf"
check "identities.conf explains its format" grep -q '^# *identity role\[,role...\]' "$DIR/auth/identities.conf"

PUB="$WORK/signing-pub.pem"
openssl pkey -in "$DIR/auth/signing-key.pem" -pubout -out "$PUB"
kid=$("$MINT" --key "$DIR/auth/signing-key.pem" --print-kid)
check "kid is 16 hex digits" test "$(printf '%s' "$kid" | tr -d '0-9a-f' | wc -c)-${#kid}" = "0-16"
check "jwks.json has the kid" grep -q "\"kid\":\"$kid\"" "$DIR/auth/jwks.json"
for t in reader editor admin; do
  f="$DIR/auth/$t.jwt"
  check "$t.jwt has three base64url parts" \
    grep -Eqx '[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+' "$f"
  check "$t.jwt verifies with openssl dgst -verify" verify_token "$f" "$PUB"
  check "$t.jwt is a dev token for dev-$t" sh -c \
    "printf '%s' '$(claims "$f")' | grep -q '\"sub\":\"dev-$t\".*\"dev\":true'"
  check "$t.jwt is 0600" test "$(mode "$f")" = 600
done
check "admin has all roles" sh -c \
  "printf '%s' '$(claims "$DIR/auth/admin.jwt")' | grep -q '\"roles\":\[\"reader\",\"editor\",\"admin\"\]'"
header=$(b64url_decode "$(cut -d. -f1 "$DIR/auth/reader.jwt")")
check "header names RS256 and the kid" \
  test "$header" = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"$kid\"}"
# A changed token does not verify.
sed 's/\.\([A-Za-z0-9_-]\)/.X\1/' "$DIR/auth/reader.jwt" > "$WORK/tampered.jwt"
does_not_verify() { ! verify_token "$@" 2>/dev/null; }
check "a tampered token does not verify" does_not_verify "$WORK/tampered.jwt" "$PUB"

# --- idempotence -------------------------------------------------------
find "$DIR" -type f -exec sha256sum {} + | sort > "$WORK/before"
"$PKI_SH" "$DIR" 2> "$WORK/second.err"
find "$DIR" -type f -exec sha256sum {} + | sort > "$WORK/after"
check "a second run creates nothing" test ! -s "$WORK/second.err"
check "a second run changes nothing" cmp -s "$WORK/before" "$WORK/after"

# --- repair: only what is missing or stale is made again -----------------
rm "$DIR/pki/report-server.pem" "$DIR/auth/editor.jwt"
chmod 644 "$DIR/pki/registry-server-key.pem"
"$PKI_SH" "$DIR" 2> "$WORK/third.err"
check "a missing certificate is made again" grep -q "created $DIR/pki/report-server.pem" "$WORK/third.err"
check "a missing token is made again" grep -q "created $DIR/auth/editor.jwt" "$WORK/third.err"
check "a loose key mode is tightened" test "$(mode "$DIR/pki/registry-server-key.pem")" = 600
check "nothing else is made" test "$(grep -c created "$WORK/third.err")" = 2
grep " $CA\$" "$WORK/before" > "$WORK/ca.before"
sha256sum "$CA" > "$WORK/ca.after"
check "the CA is unchanged" cmp -s "$WORK/ca.before" "$WORK/ca.after"

# A new CA makes every certificate stale.
rm "$DIR/pki/ca.pem" "$DIR/pki/ca-key.pem"
"$PKI_SH" "$DIR" 2> "$WORK/fourth.err"
for cert in registry-server report-server report-server-client; do
  check "$cert is signed again after a new CA" \
    openssl verify -CAfile "$DIR/pki/ca.pem" "$DIR/pki/$cert.pem"
done
# A new signing key makes every token stale.
rm "$DIR/auth/signing-key.pem"
"$PKI_SH" "$DIR" 2> "$WORK/fifth.err"
openssl pkey -in "$DIR/auth/signing-key.pem" -pubout -out "$PUB"
for t in reader editor admin; do
  check "$t.jwt is minted again after a new signing key" verify_token "$DIR/auth/$t.jwt" "$PUB"
done
check "jwks.json follows a new signing key" grep -q \
  "\"kid\":\"$("$MINT" --key "$DIR/auth/signing-key.pem" --print-kid)\"" "$DIR/auth/jwks.json"

# Another issuer and audience (as run.sh would set them) re-mint the tokens.
MISSIONS_TOKEN_ISSUER=https://issuer.test MISSIONS_TOKEN_AUDIENCE=aud.test "$PKI_SH" "$DIR" 2>/dev/null
check "tokens follow MISSIONS_TOKEN_ISSUER/AUDIENCE" sh -c \
  "printf '%s' '$(claims "$DIR/auth/admin.jwt")' | grep -q '\"iss\":\"https://issuer.test\",\"aud\":\"aud.test\"'"
check "sourcing sets the variables" bash -c \
  "unset MISSIONS_TOKEN_ISSUER MISSIONS_TOKEN_AUDIENCE; source '$PKI_SH'; test \"\$MISSIONS_TOKEN_ISSUER\" = https://auth.missions.local/dev -a \"\$MISSIONS_TOKEN_AUDIENCE\" = missions-registry"

# --- mint-token.sh --------------------------------------------------------
check "mint-token --help explains" sh -c "'$MINT' --help | grep -q -- '--subject SUB'"
check "mint-token refuses a missing --key" bash -c "! '$MINT' --subject s --roles r 2>/dev/null"
check "mint-token refuses unknown arguments" bash -c "! '$MINT' --bogus 2>/dev/null"
cp "$DIR/auth/signing-key.pem" "$WORK/loose-key.pem"
chmod 640 "$WORK/loose-key.pem"
check "mint-token refuses a group-readable key" bash -c \
  "! '$MINT' --key '$WORK/loose-key.pem' --subject s --roles r 2>/dev/null"
# shellcheck disable=SC1003  # the subject ends in a backslash
"$MINT" --key "$DIR/auth/signing-key.pem" --subject 'odd "name"\' --roles a,b \
  --days 2 --issuer I --audience A --kid mykid > "$WORK/custom.jwt" 2> "$WORK/custom.err"
check "mint-token output verifies" verify_token "$WORK/custom.jwt" "$PUB"
check "mint-token escapes JSON" sh -c \
  "printf '%s' '$(claims "$WORK/custom.jwt")' | grep -qF '\"sub\":\"odd \\\"name\\\"\\\\\"'"
check "mint-token honours --kid" sh -c \
  "printf '%s' '$(b64url_decode "$(cut -d. -f1 "$WORK/custom.jwt")")' | grep -q '\"kid\":\"mykid\"'"
check "mint-token never prints the key" bash -c \
  "! grep -q 'PRIVATE KEY' '$WORK/custom.jwt' '$WORK/custom.err' '$WORK'/*.err"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
