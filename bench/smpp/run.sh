#!/usr/bin/env bash
# bench/smpp: MT submitted with delivery receipts, windows 10 and 100, in one run against
# tests/peers/smsc-sim, for three ESMEs:
#   pintar   `pintar gateway` with bench/smpp/smpp_bench as the vending engine (ZeroMQ), from
#            the first MT sent until every result and receipt is back at the engine;
#   kannel   Kannel 1.4.5 bearerbox as ESME (Debian package; installed here if missing), MT
#            injected with mtbatch, from its start until the simulator saw every receipt acked;
#   ceiling  the simulator's own bench-client.js.
# Two figures per ESME and window:
#   CPU per MT  utime + stime of the ESME's gateway process (all threads, /proc/PID/stat) over
#               the timed span, until its CPU time stops moving, divided by COUNT: pintar
#               gateway's and bearerbox's (not smpp_bench's or mtbatch's, which stand in for
#               the engine and smsbox); robust to other load on the machine;
#   throughput  MT/s, and as a share of the ceiling client's rate in the same run.
# The simulator runs pinned to core SIM_CPU (1), everything else on ESME_CPU (0), so the
# ESME under test cannot take the simulator's core. Everything listens on 127.0.0.1 only.
# Results: docs/performance.md.
#   bench/smpp/run.sh [BUILD_DIR]        (COUNT=10000 RUNS=1 SYNC=FULL by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
count=${COUNT:-10000}
runs=${RUNS:-1}
sync=${SYNC:-FULL}
sim_cpu=${SIM_CPU:-1}
esme_cpu=${ESME_CPU:-0}
tck=$(getconf CLK_TCK)
sim_dir=tests/peers/smsc-sim
work=$(mktemp -d /tmp/pintar-bench-smpp-XXXXXX)
# Every background process, one pid a line, in a file: the run_* functions run in subshells.
started() { echo "$1" >> "$work/pids"; }
cleanup() { [ -f "$work/pids" ] && while read -r p; do kill "$p" 2>/dev/null || true; done < "$work/pids"; }
trap cleanup EXIT

ninja -C "$build" cli/pintar bench/smpp/smpp_bench >/dev/null
[ -d "$sim_dir/node_modules" ] || (cd "$sim_dir" && npm ci --no-audit --no-fund --loglevel=error)
if ! command -v bearerbox >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kannel >/dev/null
fi

# Starts a fresh simulator; sets sim_pid, sim_smpp, sim_control and sim_ticks0.
start_sim() {
  cat > "$work/sim.json" <<JSON
{"esmes":[{"system_id":"pintar","password":"secret","routes":["1234"],"max_binds":8}],
 "resp_msgid":"hex","receipt":{"form":"both"},"max_messages":1000}
JSON
  : > "$work/sim.out"
  taskset -c "$sim_cpu" node "$sim_dir/smsc-sim.js" --config "$work/sim.json" > "$work/sim.out" 2> "$work/sim.err" &
  sim_pid=$!
  started "$sim_pid"
  for _ in $(seq 100); do grep -q READY "$work/sim.out" && break; sleep 0.1; done
  sim_smpp=$(sed -n 's/READY smpp=\([0-9]*\) control=\([0-9]*\)/\1/p' "$work/sim.out")
  sim_control=$(sed -n 's/READY smpp=\([0-9]*\) control=\([0-9]*\)/\2/p' "$work/sim.out")
  sim_ticks0=$(cpu_ticks "$sim_pid")
}
# Sets sim_ticks: the simulator's CPU time since it was READY.
stop_sim() { sim_ticks=$(($(cpu_ticks "$sim_pid") - sim_ticks0)); kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; }
# utime + stime (proc(5) fields 14, 15) of all threads of PID, in clock ticks; counted after
# the last ')' since the command name may hold spaces.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# As smpp_bench does for the gateway: wait until PID's CPU time stops moving (two equal
# readings 100 ms apart, at most 3 s) so work left after the last receipt is counted.
settled_cpu_ticks() {
  local last now same=0
  last=$(cpu_ticks "$1")
  for _ in $(seq 30); do
    sleep 0.1; now=$(cpu_ticks "$1")
    if [ "$now" = "$last" ]; then same=$((same + 1)); [ "$same" -ge 2 ] && break; else same=0; fi
    last=$now
  done
  echo "$last"
}
stat() { curl -s "http://127.0.0.1:$sim_control/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
field_of() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
us_per_mt() { python3 -c "print(round($1 * 1e6 / $count, 1))"; }  # CPU seconds -> µs/MT

# Each run_* prints "RATE ESME_US_PER_MT SIM_US_PER_MT".
run_ceiling() {  # window
  start_sim
  local out; out=$(taskset -c "$esme_cpu" node "$sim_dir/bench-client.js" --port "$sim_smpp" --count "$count" \
                     --window "$1" --receipts 1)
  stop_sim
  echo "$(field_of "$out" rate) - $(us_per_mt "$sim_ticks / $tck")"
}

run_pintar() {  # window
  start_sim
  local out; out=$(taskset -c "$esme_cpu" "$build/bench/smpp/smpp_bench" --pintar "$build/cli/pintar" --smpp-port "$sim_smpp" \
                    --count "$count" --window "$1" --synchronous "$sync" 2>"$work/pintar.err")
  stop_sim
  echo "$(field_of "$out" rate) $(us_per_mt "$(field_of "$out" gateway_cpu_s)") $(us_per_mt "$sim_ticks / $tck")"
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
  # -v 4: console (here: bearerbox.log) at panic level only; by default it logs every PDU.
  taskset -c "$esme_cpu" bearerbox -v 4 "$k/kannel.conf" > "$k/bearerbox.log" 2>&1 &
  local bb=$!; started "$bb"
  for _ in $(seq 100); do [ "$(stat binds_ok)" -ge 1 ] && break; sleep 0.1; done
  echo "Token 00000000000000000000 bench" > "$k/content.txt"
  seq "$count" | sed "s/.*/628120000001/" > "$k/receivers.txt"  # not yes | head: SIGPIPE under pipefail
  local start end bb_start bb_end; bb_start=$(cpu_ticks "$bb"); start=$(date +%s.%N)
  taskset -c "$esme_cpu" mtbatch -v 4 -b 127.0.0.1 -p 13001 -f 1234 -D 1 -u "http://127.0.0.1:9/dlr" "$k/content.txt" "$k/receivers.txt" \
    > "$k/mtbatch.log" 2>&1 &
  started "$!"
  local deadline=$((SECONDS + 600))
  while [ "$(stat deliver_sm_acked)" -lt "$count" ]; do
    if grep -q PANIC "$k/bearerbox.log" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "kannel failed: $k" >&2
      return 1
    fi
    sleep 0.05
  done
  end=$(date +%s.%N)
  bb_end=$(settled_cpu_ticks "$bb")
  kill "$bb"; wait "$bb" 2>/dev/null || true
  stop_sim
  echo "$(python3 -c "print(round($count / ($end - $start)))") $(us_per_mt "($bb_end - $bb_start) / $tck")" \
       "$(us_per_mt "$sim_ticks / $tck")"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "count $count MT with receipts per run; pintar queue synchronous=$sync; median of $runs run(s);" \
     "simulator on core $sim_cpu, ESMEs on core $esme_cpu"
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-7s %-8s %9s %10s %14s %13s\n' window esme 'MT/s' '% ceiling' 'gateway us/MT' 'sim us/MT'
for window in 10 100; do
  declare -A rate=() cpu=() sim=()
  for _ in $(seq "$runs"); do
    for esme in ceiling pintar kannel; do
      read -r r c m < <("run_$esme" "$window") || true
      [ -n "$m" ] || { echo "$esme at window $window failed (work files in $work)" >&2; exit 1; }
      rate[$esme]+="$r "; cpu[$esme]+="$c "; sim[$esme]+="$m "
    done
  done
  mc=$(median "${rate[ceiling]}")
  for esme in ceiling pintar kannel; do
    mr=$(median "${rate[$esme]}"); mu=$(median "${cpu[$esme]}"); ms=$(median "${sim[$esme]}")
    eval "us_$esme=$mu"
    printf '%-7s %-8s %9s %9.0f%% %14s %13s\n' "$window" "$esme" "$mr" "$(python3 -c "print(100*$mr/$mc)")" "$mu" "$ms"
  done
  # shellcheck disable=SC2154  # set by the eval above
  printf '%-7s pintar CPU/MT / Kannel CPU/MT = %.2f (target <= 0.33)\n' "$window" \
    "$(python3 -c "print($us_pintar/$us_kannel)")"
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
done
