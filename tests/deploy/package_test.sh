#!/bin/bash
# deploy.package: builds the Debian package from the build directory
# (cpack -G DEB into a temp dir), reads its control data (dpkg-deb --info,
# -e), extracts it (dpkg-deb -x) and checks every file it must hold: the four
# binaries (stripped), the systemd units, the /etc/missions conffiles, the
# man pages (gzip -9n) and the copyright file; runs the binaries from the
# extracted tree (--help exits 0, --version prints the version, the default
# /etc/missions flags are all known), starts registry-server from it and
# stops it with SIGTERM (exit 0), and runs lintian when it is installed
# (its findings are printed, not failed on).
#
# Usage: package_test.sh BUILD_DIR VERSION   (VERSION: CMake's PROJECT_VERSION)
set -uo pipefail
build=$1
version=$2
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -KILL "$server_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

binaries=(registry-server registryctl report-server reportctl)

# --- build -------------------------------------------------------------------
if ! (cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1); then
  cat "$tmp/cpack.log"
  if grep -q 'man/.*\.1\.gz' "$tmp/cpack.log"; then
    echo "FAIL: cpack: the man pages are not built: cmake --build $build --target man" \
         "(needs help2man at configure time)"
  fi
  echo "FAIL: cpack -G DEB"; exit 1
fi
debs=("$tmp"/out/missions-registry_"$version"_*.deb)
if [[ ! -f "${debs[0]}" ]]; then
  ls -l "$tmp/out"; echo "FAIL: no missions-registry_${version}_*.deb"; exit 1
fi
deb=${debs[0]}
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# --- control data ------------------------------------------------------------
info=$(dpkg-deb --info "$deb") || { echo "FAIL: dpkg-deb --info"; exit 1; }
echo "$info"
field() { dpkg-deb --field "$deb" "$1"; }
[[ "$(field Package)" == missions-registry ]] || fail "Package: $(field Package)"
[[ "$(field Version)" == "$version" ]] || fail "Version: $(field Version), expected $version"
grep -q 'libgrpc' <<<"$(field Depends)" || fail "Depends has no libgrpc (shlibdeps)"
grep -q 'adduser' <<<"$(field Depends)" || fail "Depends has no adduser"
mkdir "$tmp/ctl"; dpkg-deb -e "$deb" "$tmp/ctl"
for s in postinst prerm postrm; do
  [[ -x "$tmp/ctl/$s" ]] || fail "maintainer script $s missing or not executable"
  sh -n "$tmp/ctl/$s" || fail "maintainer script $s: syntax"
done
conffiles=(/etc/missions/registry-server.conf /etc/missions/report-server.conf
           /etc/missions/reportctl.conf)
for c in "${conffiles[@]}"; do
  grep -qx "$c" "$tmp/ctl/conffiles" 2>/dev/null || fail "conffiles lacks $c"
done

# --- files -------------------------------------------------------------------
root=$tmp/root
dpkg-deb -x "$deb" "$root"
expected=(
  usr/lib/systemd/system/registry-server.service
  usr/lib/systemd/system/report-server.service
  usr/lib/systemd/system/reportctl-yearly.service
  usr/lib/systemd/system/reportctl-yearly.timer
  etc/missions/registry-server.conf etc/missions/report-server.conf etc/missions/reportctl.conf
  usr/share/doc/missions-registry/copyright usr/share/doc/missions-registry/help.md
)
for b in "${binaries[@]}"; do
  expected+=("usr/bin/$b" "usr/share/man/man1/$b.1.gz")
done
for f in "${expected[@]}"; do
  [[ -f "$root/$f" ]] || fail "missing /$f"
done
for c in "${conffiles[@]}"; do [[ -f "$root$c" ]] || fail "conffile $c not in the package"; done
for b in "${binaries[@]}"; do
  bin=$root/usr/bin/$b
  [[ -x "$bin" ]] || { fail "/usr/bin/$b not executable"; continue; }
  if readelf -S "$bin" 2>/dev/null | grep -q '\.debug_info'; then fail "/usr/bin/$b is not stripped"; fi
  page=$root/usr/share/man/man1/$b.1.gz
  [[ -f "$page" ]] || continue
  gzip -t "$page" || { fail "$b.1.gz is not gzip"; continue; }
  # gzip -n: no file name (FLG bit 3) and a zero MTIME in the header.
  read -r flg < <(od -An -tu1 -j3 -N1 "$page")
  read -r mtime < <(od -An -tu4 -j4 -N4 "$page")
  (( (flg & 8) == 0 && mtime == 0 )) || fail "$b.1.gz not made with gzip -n (name or time in the header)"
  zcat "$page" | grep -q '^\.TH' || fail "$b.1.gz has no .TH"
  zcat "$page" | grep -q "^\.TH .*\"$b $version\"" || fail "$b.1.gz does not name version $version"
  zcat "$page" | grep -q '^\.SH NAME' || fail "$b.1.gz has no NAME section"
  case $b in *-server) flag=listen ;; *) flag=plaintext ;; esac
  zcat "$page" | grep -q "\\\\-\\\\-$flag" || fail "$b.1.gz does not describe --$flag (was --help empty?)"
done
for u in registry-server report-server; do
  unit=$root/usr/lib/systemd/system/$u.service
  grep -qx 'Type=notify' "$unit" 2>/dev/null || fail "$u.service is not Type=notify"
  grep -qx 'NotifyAccess=main' "$unit" 2>/dev/null || fail "$u.service lacks NotifyAccess=main"
done

# --- the binaries from the extracted tree ------------------------------------
for b in "${binaries[@]}"; do
  bin=$root/usr/bin/$b
  [[ -x "$bin" ]] || continue
  rc=0; out=$("$bin" --help 2>&1) || rc=$?
  [[ $rc -eq 0 ]] || fail "$b --help exits $rc, not 0"
  grep -qi -e usage -e "$b" <<<"$out" || fail "$b --help prints no usage"
  rc=0; out=$("$bin" --version 2>&1) || rc=$?
  [[ $rc -eq 0 ]] || fail "$b --version exits $rc, not 0"
  grep -qF "$version" <<<"$out" || fail "$b --version does not print $version: $(head -2 <<<"$out")"
done

# The default flags in /etc/missions are all known to the binaries: run each
# server with them (listening on loopback port 0, its storage in $tmp) and
# expect it to stop on the missing TLS files, not on a flag.
conf_flags() {  # conf_flags FILE VAR: the words of VAR in FILE (shell syntax, as systemd reads it)
  # shellcheck disable=SC1090  # the extracted /etc/missions/*.conf
  (set -ef; . "$1"; eval "printf '%s\n' \$$2")
}
for pair in registry-server:REGISTRY_SERVER_ARGS report-server:REPORT_SERVER_ARGS; do
  b=${pair%%:*}; var=${pair#*:}
  conf=$root/etc/missions/$b.conf
  [[ -f "$conf" && -x "$root/usr/bin/$b" ]] || continue
  mapfile -t args < <(conf_flags "$conf" "$var")
  [[ ${#args[@]} -gt 0 ]] || { fail "$b.conf: $var is empty"; continue; }
  printf '%s\n' "${args[@]}" | grep -q -- '^--metrics_listen=127\.0\.0\.1:' || fail "$b.conf: no loopback --metrics_listen"
  printf '%s\n' "${args[@]}" | grep -q -- '^--drain=' || fail "$b.conf: no --drain"
  override=(--listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0)
  [[ $b == registry-server ]] && override+=(--storage="sqlite:$tmp/conf.db")
  out=$(timeout 10 "$root/usr/bin/$b" "${args[@]}" "${override[@]}" 2>&1 </dev/null)
  if grep -qi -e 'unknown command line flag' -e 'illegal value' <<<"$out"; then
    fail "$b does not accept the flags of $b.conf: $(grep -i -e 'unknown command line flag' -e 'illegal value' <<<"$out" | head -3)"
  fi
done

# registry-server from the extracted tree: starts, says it listens, and ends
# with exit 0 on SIGTERM.
if [[ -x "$root/usr/bin/registry-server" ]]; then
  "$root/usr/bin/registry-server" --insecure --listen=127.0.0.1:0 \
    --storage="sqlite:$tmp/x.db" --metrics_listen=127.0.0.1:0 --drain=0s \
    2>"$tmp/server.log" </dev/null &
  server_pid=$!
  listening=false
  for _ in $(seq 1 100); do
    if grep -q listening "$tmp/server.log"; then listening=true; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if $listening; then
    kill -TERM "$server_pid"
    rc=0
    for _ in $(seq 1 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$server_pid" 2>/dev/null; then
      fail "registry-server still running 15 s after SIGTERM"
    else
      wait "$server_pid"; rc=$?
      [[ $rc -eq 0 ]] || fail "registry-server exits $rc on SIGTERM, not 0"
    fi
  else
    fail "registry-server from the package did not say it listens within 10 s"
  fi
  [[ $failures -eq 0 ]] || { echo "--- registry-server stderr:"; cat "$tmp/server.log"; }
  kill -KILL "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=
fi

# --- lintian (reported, not failed on) ---------------------------------------
if command -v lintian >/dev/null; then
  echo "--- lintian $(basename "$deb"):"
  lintian --no-tag-display-limit "$deb" 2>&1 || true
  echo "--- end of lintian"
else
  echo "lintian not installed: skipped"
fi

if [[ $failures -ne 0 ]]; then echo "FAIL: $failures check(s)"; exit 1; fi
echo OK
