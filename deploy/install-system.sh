#!/usr/bin/env bash
# Installs a built pintar as system services: the binary, the system user, the systemd
# units of the daemons this build has, the example configuration (never over an existing
# one) and the credentials directory. Enables nothing and starts nothing: an operator puts
# the secrets in place first (docs/configuration.md, "Secrets").
#
#   deploy/install-system.sh [BUILD_DIR] [ROOT]     (defaults: build, /)
#
# ROOT installs into another tree (packaging, tests); then no user is created and systemd
# is not told.
set -euo pipefail
# Both arguments are relative to where the script is called from.
absolute() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
build=$(absolute "${1:-build}")
root=$(absolute "${2:-/}")
while [ "${root%/}" != "$root" ]; do root=${root%/}; done  # "/" and "//" become "": the real system
cd "$(dirname "$0")/.."
pintar="$build/cli/pintar"
[ -x "$pintar" ] || { echo "no $pintar: build first (deploy/install.sh --build)" >&2; exit 66; }

install -D -m 0755 "$pintar" "$root/usr/local/bin/pintar"
install -D -m 0644 deploy/sysusers.d/pintar.conf "$root/usr/lib/sysusers.d/pintar.conf"
install -d -m 0755 "$root/etc/pintar"
install -d -m 0700 "$root/etc/pintar/credentials"
[ -e "$root/etc/pintar/pintar.toml" ] || install -m 0640 deploy/pintar.example.toml "$root/etc/pintar/pintar.toml"
for doc in docs/*.md; do install -D -m 0644 "$doc" "$root/usr/share/doc/pintar/$(basename "$doc")"; done

# A unit goes in only when this build has its daemon ("pintar-gateway.service" needs
# `pintar gateway`): later issues bring the others.
installed=()
for unit in deploy/systemd/pintar-*.service; do
  name=$(basename "$unit" .service)
  # (`pintar NOSUCH --help` prints the top-level help: look for the command's own usage.)
  if "$pintar" "${name#pintar-}" --help 2>/dev/null | grep -q "^Usage: pintar ${name#pintar-} "; then
    install -D -m 0644 "$unit" "$root/etc/systemd/system/$(basename "$unit")"
    installed+=("$(basename "$unit")")
  fi
done

if [ -z "$root" ]; then
  if command -v systemd-sysusers >/dev/null; then
    systemd-sysusers /usr/lib/sysusers.d/pintar.conf
  elif ! id pintar >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/pintar --no-create-home --shell /usr/sbin/nologin pintar
  fi
  chgrp pintar /etc/pintar/pintar.toml
  [ -d /run/systemd/system ] && systemctl daemon-reload
fi
echo "installed pintar $("$pintar" --version) into ${root:-/}; units: ${installed[*]:-none}"
echo "next: put the secrets in /etc/pintar/credentials, edit /etc/pintar/pintar.toml, then systemctl enable --now ${installed[*]:-<unit>}"
