#!/usr/bin/env bash
# bench/smpp: MT submitted per second with delivery receipts, windows 10 and 100, in one run
# against tests/peers/smsc-sim, for three ESMEs:
#   pintar   `pintar gateway` with bench/smpp/smpp_bench as the vending engine (ZeroMQ), from
#            the first MT sent until every result and receipt is back at the engine;
#   kannel   Kannel 1.4.5 bearerbox as ESME (Debian package; installed here if missing), MT
#            injected with mtbatch, from its start until the simulator saw every receipt acked;
#   ceiling  the simulator's own bench-client.js.
# Everything listens on 127.0.0.1 only. Results: docs/performance.md.
#   bench/smpp/run.sh [BUILD_DIR]        (COUNT=10000 RUNS=1 SYNC=FULL by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
count=${COUNT:-10000}
runs=${RUNS:-1}
sync=${SYNC:-FULL}
sim_dir=tests/peers/smsc-sim
work=$(mktemp -d /tmp/pintar-bench-smpp-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

ninja -C "$build" cli/pintar bench/smpp/smpp_bench >/dev/null
[ -d "$sim_dir/node_modules" ] || (cd "$sim_dir" && npm ci --no-audit --no-fund --loglevel=error)
if ! command -v bearerbox >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kannel >/dev/null
fi

# Starts a fresh simulator; sets sim_smpp and sim_control.
start_sim() {
  cat > "$work/sim.json" <<JSON
{"esmes":[{"system_id":"pintar","password":"secret","routes":["1234"],"max_binds":8}],
 "resp_msgid":"hex","receipt":{"form":"both"},"max_messages":1000}
JSON
  : > "$work/sim.out"
  node "$sim_dir/smsc-sim.js" --config "$work/sim.json" > "$work/sim.out" 2> "$work/sim.err" &
  sim_pid=$!
  pids+=("$sim_pid")
  for _ in $(seq 100); do grep -q READY "$work/sim.out" && break; sleep 0.1; done
  sim_smpp=$(sed -n 's/READY smpp=\([0-9]*\) control=\([0-9]*\)/\1/p' "$work/sim.out")
  sim_control=$(sed -n 's/READY smpp=\([0-9]*\) control=\([0-9]*\)/\2/p' "$work/sim.out")
}
stop_sim() { kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; }
stat() { curl -s "http://127.0.0.1:$sim_control/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
rate_of() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['rate']))" "$1"; }

run_ceiling() {  # window
  start_sim
  local out; out=$(node "$sim_dir/bench-client.js" --port "$sim_smpp" --count "$count" --window "$1" --receipts 1)
  stop_sim
  rate_of "$out"
}

run_pintar() {  # window
  start_sim
  local out; out=$("$build/bench/smpp/smpp_bench" --pintar "$build/cli/pintar" --smpp-port "$sim_smpp" \
                    --count "$count" --window "$1" --synchronous "$sync" 2>"$work/pintar.err")
  stop_sim
  rate_of "$out"
}

run_kannel() {  # window
  start_sim
  local k="$work/kannel"; mkdir -p "$k"
  cat > "$k/kannel.conf" <<CONF
group = core
admin-port = 13000
admin-interface = 127.0.0.1
admin-password = bench
smsbox-port = 13001
smsbox-interface = 127.0.0.1
dlr-storage = internal
log-level = 4

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = $sim_smpp
transceiver-mode = true
smsc-username = pintar
smsc-password = secret
system-type = bench
max-pending-submits = $1
enquire-link-interval = 30
reconnect-delay = 5
msg-id-type = 0x03

group = smsbox
bearerbox-host = 127.0.0.1
CONF
  bearerbox "$k/kannel.conf" > "$k/bearerbox.log" 2>&1 &
  local bb=$!; pids+=("$bb")
  for _ in $(seq 100); do [ "$(stat binds_ok)" -ge 1 ] && break; sleep 0.1; done
  echo "Token 00000000000000000000 bench" > "$k/content.txt"
  yes 628120000001 | head -n "$count" > "$k/receivers.txt"
  local start end; start=$(date +%s.%N)
  mtbatch -v 4 -b 127.0.0.1 -p 13001 -f 1234 -D 1 -u "http://127.0.0.1:9/dlr" "$k/content.txt" "$k/receivers.txt" \
    > "$k/mtbatch.log" 2>&1 &
  pids+=("$!")
  local deadline=$((SECONDS + 600))
  while [ "$(stat deliver_sm_acked)" -lt "$count" ]; do
    if grep -q PANIC "$k/bearerbox.log" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "kannel failed: $k" >&2
      return 1
    fi
    sleep 0.05
  done
  end=$(date +%s.%N)
  kill "$bb"; wait "$bb" 2>/dev/null || true
  stop_sim
  python3 -c "print(round($count / ($end - $start)))"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "count $count MT with receipts per run; pintar queue synchronous=$sync; median of $runs run(s)"
printf '%-8s %10s %10s %10s %14s %16s\n' window pintar kannel ceiling pintar/kannel pintar/ceiling
for window in 10 100; do
  p=(); k=(); c=()
  for _ in $(seq "$runs"); do
    c+=("$(run_ceiling "$window")"); p+=("$(run_pintar "$window")"); k+=("$(run_kannel "$window")")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  mp=$(median "${p[@]}"); mk=$(median "${k[@]}"); mc=$(median "${c[@]}")
  printf '%-8s %10s %10s %10s %13.1fx %15.0f%%\n' "$window" "$mp" "$mk" "$mc" \
    "$(python3 -c "print($mp/$mk)")" "$(python3 -c "print(100*$mp/$mc)")"
done
