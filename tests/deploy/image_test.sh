#!/usr/bin/env bash
# The container image (deploy/container/).
#
#   image_test.sh --static   fast checks of the Containerfile and the build
#                            script, no build (ctest deploy.container_static)
#   image_test.sh            the static checks, then the real thing:
#                            deploy/container/build-image.sh builds the image
#                            (debootstrap base, podman build --isolation=chroot;
#                            compiles the whole project: 20-30 min on 2 cores)
#                            and smoke-tests it under chroot as user 10001.
#                            Needs root. Not part of the default ctest run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
container=$source_dir/deploy/container
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- static checks ---------------------------------------------------------------
file=$container/Containerfile
[[ -f $file ]] || { echo "FAIL: no $file"; exit 1; }
bash -n "$container/build-image.sh" || fail "build-image.sh: syntax"
grep -q '^set -euo pipefail' "$container/build-image.sh" || fail "build-image.sh: no set -euo pipefail"
# Multi-stage, both stages on the Debian 12 base.
[[ $(grep -c '^FROM ' "$file") -ge 2 ]] || fail "Containerfile: not multi-stage"
grep -q '^ARG BASE_IMAGE=.*bookworm' "$file" || fail "Containerfile: base is not Debian 12 (bookworm)"
# The final stage: numeric non-root USER, exec-form ENTRYPOINT, no secrets.
final=$(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END {printf "%s", stage}' "$file")
user=$(grep '^USER ' <<<"$final" | tail -1 | awk '{print $2}')
[[ $user =~ ^[1-9][0-9]*(:[1-9][0-9]*)?$ ]] || fail "Containerfile: final USER '$user' is not a numeric non-root UID"
grep -qE '^ENTRYPOINT \["/usr/bin/[a-z-]+"\]' <<<"$final" || fail "Containerfile: ENTRYPOINT is not in exec form"
grep -qE 'fonts-dejavu-core' <<<"$final" && grep -qE 'fonts-dejavu-extra' <<<"$final" ||
  fail "Containerfile: the runtime stage lacks the DejaVu fonts (PDF)"
if grep -qE '^\s*(ENV|ARG)\s+\S*(PASSWORD|TOKEN|SECRET|KEY)\b' "$file"; then
  fail "Containerfile: a secret-looking ENV/ARG"
fi
if grep -vE '^\s*#' <<<"$final" | grep -qE -- '[a-z0-9]-dev\b'; then
  fail "Containerfile: -dev packages in the runtime stage"
fi
# The build context leaves out builds, local state (development keys) and git.
for pattern in .git build var; do
  grep -qx "$pattern" "$container/.containerignore" || fail ".containerignore lacks $pattern"
done
if [[ $failures -gt 0 ]]; then
  echo "container static checks: $failures failed"; exit 1
fi
echo "container static checks passed"
if [[ ${1:-} == --static ]]; then exit 0; fi

# --- build and smoke test ----------------------------------------------------------
started=$SECONDS
bash "$container/build-image.sh"
echo "image build and smoke test: $((SECONDS - started)) s"
