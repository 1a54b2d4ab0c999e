#!/usr/bin/env bash
# deploy/install-system.sh into a scratch root: the files land where the units expect them,
# a unit goes in exactly when the build has its daemon, and an operator's config survives a
# second run.
#   tests/install_system_test.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
root=$(mktemp -d /tmp/pintar-install-XXXXXX)
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash deploy/install-system.sh "$build" "$root" >/dev/null
[ -x "$root/usr/local/bin/pintar" ] || fail "binary not installed"
"$root/usr/local/bin/pintar" --version >/dev/null || fail "installed binary does not run"
[ -f "$root/usr/lib/sysusers.d/pintar.conf" ] || fail "sysusers.d entry missing"
[ "$(stat -c %a "$root/etc/pintar/credentials")" = 700 ] || fail "credentials directory not 0700"
"$root/usr/local/bin/pintar" config check "$root/etc/pintar/pintar.toml" >/dev/null || fail "installed config invalid"
# The daemons this build has, from the subcommand list of `pintar --help`.
commands=$("$build/cli/pintar" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 {print $1}')
for unit in deploy/systemd/pintar-*.service; do
  name=$(basename "$unit" .service)
  grep -q '^User=pintar$' "$unit" || fail "$unit: not User=pintar"
  if grep -qx "${name#pintar-}" <<<"$commands"; then
    cmp -s "$unit" "$root/etc/systemd/system/$name.service" || fail "$name: not installed"
  else
    [ ! -e "$root/etc/systemd/system/$name.service" ] || fail "$name installed without its daemon"
  fi
done
[ -f "$root/etc/systemd/system/pintar-gateway.service" ] || fail "the gateway unit is missing"

echo "# edited by the operator" >> "$root/etc/pintar/pintar.toml"
bash deploy/install-system.sh "$build" "$root" >/dev/null
grep -q "edited by the operator" "$root/etc/pintar/pintar.toml" || fail "a second run replaced the operator's config"
echo "install-system: ok"
