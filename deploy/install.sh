#!/usr/bin/env bash
# Installs everything pintar needs on Debian 12, builds it, and (with --demo) runs the demo.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Downloads come only from Debian's archive and the npm registry (for the test peers).
#
#   deploy/install.sh --demo        install, build a release into build/, run `pintar demo`
#   deploy/install.sh --build       install and build, no demo
#   deploy/install.sh --deps-only   install Debian and npm packages only (used by tests/run-all.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:---build}
case "$mode" in
  --demo|--build|--deps-only) ;;
  *) echo "usage: $0 [--demo|--build|--deps-only]" >&2; exit 64 ;;
esac

# Build tools, libraries named in the design, and what the tests use.
packages=(
  g++ pkg-config meson ninja-build python3
  libsmpp34-dev cppzmq-dev libzmq3-dev libsqlite3-dev sqlite3 libssl-dev libfmt-dev
  libspdlog-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libcpp-httplib-dev
  libsystemd-dev catch2
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js for the simulators in tests/peers: Debian's nodejs 18 + npm 9 unless a node is present.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}; run this script as root" >&2
    exit 69
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm dependencies of each simulator, exactly as locked.
for lock in tests/peers/*/package-lock.json; do
  [ -e "$lock" ] || continue
  dir=$(dirname "$lock")
  # npm records what it installed in node_modules/.package-lock.json.
  installed="$dir/node_modules/.package-lock.json"
  if [ ! -e "$installed" ] || [ "$lock" -nt "$installed" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

[ "$mode" = --deps-only ] && exit 0

# -Werror guards development builds (tests/run-all.sh); a user's release build must not fail
# on a new false positive of a newer optimiser (GCC 12 -O3 has several).
[ -d build ] || meson setup build --buildtype=release -Dwerror=false
ninja -C build
echo "built: build/cli/pintar ($(build/cli/pintar --version))"

if [ "$mode" = --demo ]; then
  exec build/cli/pintar demo
fi
