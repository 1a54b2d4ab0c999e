#!/bin/sh
# Replaces everything below a marker line in a doc with a command's output: the generated
# tables of docs/configuration.md and docs/metrics.md come from the program's own tables.
# Usage: docs/regenerate.sh DOC 'MARKER LINE' COMMAND [ARGS...]
# The doc is rewritten in place (not replaced by a temporary file), so it keeps its mode.
set -eu
doc=${1:?usage: $0 DOC MARKER COMMAND [ARGS...]}
marker=${2:?usage: $0 DOC MARKER COMMAND [ARGS...]}
shift 2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v m="$marker" '{ print } $0 == m { exit }' "$doc" > "$tmp"
grep -qx -- "$marker" "$tmp" || { echo "marker line missing in $doc" >&2; exit 1; }
echo >> "$tmp"
"$@" >> "$tmp"
cat "$tmp" > "$doc"
