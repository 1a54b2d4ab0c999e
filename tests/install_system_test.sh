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

# Each installed unit against the example config: every credential it loads is one the
# config names, and its command line, given just those credentials, loads the config and
# its secrets (`--check`) as the first start would. A name mismatch exits 78 here.
for unit in "$root"/etc/systemd/system/pintar-*.service; do
  name=$(basename "$unit" .service)
  creds="$root/run/credentials/$name"
  mkdir -p "$creds"
  for credential in $(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$unit"); do
    grep -q "\"credential:$credential\"" deploy/pintar.example.toml ||
      fail "$name loads credential $credential, which deploy/pintar.example.toml does not name"
    # Stand-ins of a usable size: an SMPP password is ≤ 8 octets, keys are 32 bytes.
    case $credential in
      *password*) printf 'notreal1' > "$creds/$credential" ;;
      # The engine's keys are checked for what they are: a keyring line, a wrapped key.
      modem-keys) echo "M1 14000000001 000102030405060708090A0B0C0D0E0F" > "$creds/$credential" ;;
      vending-key) ;;  # made below, once the kek stand-in exists
      *) printf 'not-a-real-key-0123456789abcdef!' > "$creds/$credential" ;;
    esac
  done
  chmod 0600 "$creds"/*  # as systemd hands credentials over: readable by the service only
  if [ -f "$creds/kek" ] && grep -q "^LoadCredential=vending-key:" "$unit"; then
    printf 'ABABABABABABABAB' > "$creds/vk.hex"
    CREDENTIALS_DIRECTORY=$creds "$root/usr/local/bin/pintar" keys vending --vk "hexfile:$creds/vk.hex" --kek credential:kek \
      --out "$creds/vending-key" >/dev/null || fail "keys vending could not make the stand-in vending key"
    rm -f "$creds/vk.hex"
  fi
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  [ -n "$exec_start" ] || fail "$name: no ExecStart"
  read -r -a argv <<<"${exec_start//\/etc\/pintar\//$root/etc/pintar/}"
  argv[0]=$root${argv[0]}
  CREDENTIALS_DIRECTORY=$creds "${argv[@]}" --check >/dev/null ||
    fail "$name: \`$exec_start\` does not start with the example config and the unit's credentials"
done

echo "# edited by the operator" >> "$root/etc/pintar/pintar.toml"
bash deploy/install-system.sh "$build" "$root" >/dev/null
grep -q "edited by the operator" "$root/etc/pintar/pintar.toml" || fail "a second run replaced the operator's config"
echo "install-system: ok"
