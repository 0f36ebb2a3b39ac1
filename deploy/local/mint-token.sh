#!/usr/bin/env bash
# Mints a compact RS256 JSON Web Token signed with an RSA private key, and
# prints it on standard output. Needs only bash, coreutils and openssl.
#
# Usage: deploy/local/mint-token.sh --key FILE --subject SUB --roles R1,R2
#            [--name NAME] [--days N] [--issuer I] [--audience A] [--kid K]
#            [--claim NAME=JSON]...
#        deploy/local/mint-token.sh --key FILE --print-kid
#   --key FILE       RSA private key (PEM, mode 0600); never printed
#   --subject SUB    the "sub" claim
#   --roles R1,R2    the "roles" claim, a JSON array of strings
#   --name NAME      the "name" claim (omitted by default)
#   --days N         validity in days from now ("exp"; default 1)
#   --issuer I       "iss" (default $MISSIONS_TOKEN_ISSUER or
#                    https://auth.missions.local/dev)
#   --audience A     "aud" (default $MISSIONS_TOKEN_AUDIENCE or
#                    missions-registry)
#   --kid K          header "kid" (default: derived from the key, see below)
#   --claim N=JSON   an extra claim with a raw JSON value, e.g. dev=true
#   --print-kid      print the key id derived from --key and exit
# The derived key id is the first 16 hex digits of the SHA-256 of the DER
# SubjectPublicKeyInfo of the key's public half; deploy/local/dev-pki.sh
# uses the same derivation (through --print-kid) for auth/jwks.json.
# Claims: iss, aud, sub, [name], roles, iat, nbf, exp, jti, extra claims.
set -euo pipefail

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "mint-token.sh: $*" >&2; exit 2; }

key="" subject="" roles="" name="" days=1 kid="" print_kid=false
issuer="${MISSIONS_TOKEN_ISSUER:-https://auth.missions.local/dev}"
audience="${MISSIONS_TOKEN_AUDIENCE:-missions-registry}"
extra_claims=()

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --print-kid) print_kid=true; shift; continue ;;
    --key|--subject|--roles|--name|--days|--issuer|--audience|--kid|--claim)
      [ $# -ge 2 ] || die "$1 needs a value (try --help)" ;;
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  case "$1" in
    --key) key=$2 ;;
    --subject) subject=$2 ;;
    --roles) roles=$2 ;;
    --name) name=$2 ;;
    --days) days=$2 ;;
    --issuer) issuer=$2 ;;
    --audience) audience=$2 ;;
    --kid) kid=$2 ;;
    --claim) extra_claims+=("$2") ;;
  esac
  shift 2
done

[ -n "$key" ] || die "--key is required (try --help)"
[ -f "$key" ] || die "no such key file: $key"
mode=$(stat -L -c '%a' "$key")
if [ $((8#$mode & 8#077)) -ne 0 ]; then
  die "signing key $key has mode $mode: it must not be accessible to group or others (chmod 600 $key)"
fi
openssl rsa -in "$key" -noout 2>/dev/null ||
  die "$key is not an unencrypted PEM RSA private key (RS256 needs RSA)"

# derive_kid KEY: the key id of KEY's public key.
derive_kid() {
  openssl pkey -in "$1" -pubout -outform DER | openssl dgst -sha256 -r | cut -c1-16
}

if $print_kid; then derive_kid "$key"; exit 0; fi

[ -n "$subject" ] || die "--subject is required (try --help)"
[ -n "$roles" ] || die "--roles is required (try --help)"
[[ "$days" =~ ^[1-9][0-9]{0,4}$ ]] || die "--days must be a positive whole number"
[ -n "$kid" ] || kid=$(derive_kid "$key")

# json_string TEXT: TEXT as a JSON string literal.
json_string() {
  local s=$1
  if [[ "$s" == *[$'\x01'-$'\x1f'$'\x7f']* ]]; then
    die "control characters are not allowed in claim values"
  fi
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# b64url: standard input in unpadded base64url (RFC 7515).
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

roles_json=""
IFS=',' read -r -a role_list <<< "$roles"
for role in "${role_list[@]}"; do
  [ -n "$role" ] || die "--roles has an empty role"
  roles_json+="${roles_json:+,}$(json_string "$role")"
done

now=$(date +%s)
exp=$((now + days * 86400))
jti=$(openssl rand -hex 16)
header="{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":$(json_string "$kid")}"
payload="{\"iss\":$(json_string "$issuer"),\"aud\":$(json_string "$audience"),\"sub\":$(json_string "$subject")"
[ -z "$name" ] || payload+=",\"name\":$(json_string "$name")"
payload+=",\"roles\":[$roles_json],\"iat\":$now,\"nbf\":$now,\"exp\":$exp,\"jti\":\"$jti\""
for claim in "${extra_claims[@]}"; do
  [[ "$claim" == *=* ]] || die "--claim needs NAME=JSON, got '$claim'"
  claim_name=${claim%%=*}
  [[ "$claim_name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "bad claim name '$claim_name'"
  if [[ " iss aud sub name roles iat nbf exp jti " == *" $claim_name "* ]]; then
    die "--claim cannot replace the standard claim '$claim_name'"
  fi
  payload+=",\"$claim_name\":${claim#*=}"
done
payload+="}"

signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
signature=$(printf '%s' "$signing_input" |
  openssl dgst -sha256 -binary -sign "$key" | b64url)
[ -n "$signature" ] || die "signing failed"
printf '%s.%s\n' "$signing_input" "$signature"
