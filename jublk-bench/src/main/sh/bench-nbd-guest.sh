#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The part of bench-nbd that runs where ublk_drv and nbd are (the test VM, or a host that has
# them), as root. Not meant to be called by hand: jublk-bench/bin/bench-nbd passes every option.
#
#   bench-nbd-guest.sh --java JAVA --jar JUBLK_JAR [--runtime S] [--warmup S] [--row-warmup S] [--jit-settle S] [--server-cpu N] [--size-mib N]
#                      [--transport unix|tcp] [--connections "1 2"] [--seq-depth N]
#                      [--server-depth N] [--data-mode MODE] [--nbd-max-kb N]
#                      [--workloads "4k:randread:32 1m:read:seq ..."]
#
# Writes one file in full on tmpfs and serves it with one qemu-nbd process. For each connection
# count, the kernel's NBD client (nbd-client, /dev/nbdX) and jublk's nbd target connect to that
# same server over the same transport with that many connections. Each client is warmed up once,
# then for each workload fio runs on every device back to back. Progress goes to stderr, the
# results to stdout: one "RESULT" line per fio run, the table, then "GEOMEAN" lines.
# Whatever it created is removed on exit, also on failure or a signal.
set -euo pipefail
# shellcheck source=bench-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

java='' jar='' server_cpu='' runtime=5 warmup=12 row_warmup=2 jit_settle=60 ramp=2 size_mib=1024 server_depth=128 seq_depth=16
transport=unix connections=1 data_mode='' nbd_max_kb=''
workloads='4k:randread:1 4k:randread:32 4k:randwrite:1 4k:randwrite:32 64k:read:seq 64k:write:seq 1m:read:seq 1m:write:seq'
while [ $# -gt 0 ]; do
  case $1 in
    --transport) transport=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --data-mode) data_mode=$2; shift 2 ;;
    --nbd-max-kb) nbd_max_kb=$2; shift 2 ;;
    *) row_bench_option "$1" "${2-}" || { echo "bench-nbd-guest: unknown argument $1" >&2; exit 2; }; shift 2 ;;
  esac
done
preflight bench-nbd-guest qemu-nbd nbd-client

log() { echo "[bench-nbd $(date +%T)] $*" >&2; }
# On tmpfs, so that the export costs no device time: what is measured is the client's path to it.
work=$(mktemp -d /tmp/bench-nbd.XXXXXX)
[ "$(stat -f -c %T "$work")" = tmpfs ] || log "WARNING: $work is not on tmpfs ($(stat -f -c %T "$work"))"
file=$work/export.img
export_name=bench sock=$work/nbd.sock port=10809

# ---- cleanup: everything we create is recorded here and undone on any exit -------------------
fio_pid='' nbd_loaded=0 qemu_pid=''
declare -A pid_of devs id_of
nbds=()
jublk_command "$java" "$jar" "$server_cpu"


nbd_connected() { [ -e "/sys/block/${1#/dev/}/pid" ]; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "$fio_pid" ]; then kill -TERM "$fio_pid" 2>/dev/null; wait "$fio_pid" 2>/dev/null; fi
  local s n left=''
  for s in "${!pid_of[@]}"; do stop_jublk "$s"; done
  for n in "${nbds[@]}"; do nbd_connected "$n" && nbd-client -d "$n" >/dev/null 2>&1; done
  if [ -n "$qemu_pid" ]; then
    kill -TERM "$qemu_pid" 2>/dev/null
    alive_for 10 "$qemu_pid"
    kill -KILL "$qemu_pid" 2>/dev/null
  fi
  if [ "$nbd_loaded" = 1 ]; then
    for ((i = 0; i < 25; i++)); do rmmod nbd 2>/dev/null && break; sleep 0.2; done
  fi
  rm -rf "$work"
  for s in "${!id_of[@]}"; do [ ! -e "/dev/ublkc${id_of[$s]}" ] || left+=" /dev/ublkc${id_of[$s]}"; done
  for n in "${nbds[@]}"; do nbd_connected "$n" && left+=" $n"; done
  [ -z "$qemu_pid" ] || ! kill -0 "$qemu_pid" 2>/dev/null || left+=" qemu-nbd($qemu_pid)"
  [ -z "$left" ] || { log "WARNING: left behind:$left"; [ $rc -ne 0 ] || rc=1; }
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

has_size() { [ "$(cat "/sys/block/${1#/dev/}/size" 2>/dev/null || echo 0)" -gt 0 ]; }

# ---- the export -----------------------------------------------------------------------------------
log "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), fio $(fio --version), $(qemu-nbd --version | head -n 1), nbd-client $(nbd-client -V 2>&1 | awk '{ print $NF; exit }')"
avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
[ "$avail" -gt $((size_mib + 1024)) ] || { log "only $avail MiB available: too little for a $size_mib MiB file plus the servers"; exit 1; }
log "writing $size_mib MiB to $file"
# Every block written, so that reads hit data and writes overwrite it: no hole is ever read or filled.
dd if=/dev/zero of="$file" bs=1M count="$size_mib" status=none

total_conns=0
for c in $connections; do total_conns=$((total_conns + 2 * c)); done
# One server process for every client: -e lets them all be connected at once (and makes qemu-nbd
# advertise multi-conn), -t keeps it serving between clients; cache and aio are qemu-nbd's defaults.
qemu_args=(-f raw -x "$export_name" -t -e $((total_conns + 2)) --fork --pid-file "$work/qemu-nbd.pid")
if [ "$transport" = tcp ]; then
  # The guest's loopback may come up down; TCP needs it.
  ip link set lo up 2>/dev/null || true
  qemu_args+=(-b 127.0.0.1 -p "$port")
  url="nbd://127.0.0.1:$port/$export_name"
else
  qemu_args+=(-k "$sock")
  url="nbd+unix:///$export_name?socket=$sock"
fi
# --fork returns once the server listens.
qemu-nbd "${qemu_args[@]}" "$file" >"$work/qemu-nbd.log" 2>&1 || { log "qemu-nbd failed:"; cat "$work/qemu-nbd.log" >&2; exit 1; }
qemu_pid=$(cat "$work/qemu-nbd.pid")
log "qemu-nbd $qemu_pid serving $url (${qemu_args[*]})"

if [ ! -e /sys/module/nbd ]; then
  modprobe nbd nbds_max=8 || { log "cannot load the nbd module"; exit 1; }
  nbd_loaded=1
fi

# ---- clients ----------------------------------------------------------------------------------------
queue_facts() {  # queue_facts DEV: the request limits that shape what reaches the server
  local q=/sys/block/${1#/dev/}/queue
  echo "lbs $(cat $q/logical_block_size) max_sectors_kb $(cat $q/max_sectors_kb)/$(cat $q/max_hw_sectors_kb)" \
       "nr_requests $(cat $q/nr_requests) hw_queues $(ls -d /sys/block/${1#/dev/}/mq/*/ 2>/dev/null | wc -l)" \
       "scheduler $(cat $q/scheduler)"
}
no_scheduler() {  # no_scheduler DEV: neither client gets an I/O scheduler in its way
  local q=/sys/block/${1#/dev/}/queue
  grep -q '\[none\]' $q/scheduler || echo none >$q/scheduler 2>/dev/null || log "${1}: cannot set scheduler none"
}

start_nbd_jublk() {  # start_nbd_jublk NAME CONNECTIONS: sets devs[NAME]
  local name=$1 c=$2 mode=()
  [ -z "$data_mode" ] || mode=(--data-mode "$data_mode")
  # One queue per connection, as the kernel client has one hardware queue per connection.
  start_jublk "$name" -t nbd --url "$url" --connections "$c" "${mode[@]}" -q "$c" || return 1
  log "$name: defaults $(queue_facts "${devs[$name]}")"
  no_scheduler "${devs[$name]}"
}

next_nbd=0
start_kernel() {  # start_kernel NAME CONNECTIONS LBS: sets devs[NAME]
  local name=$1 c=$2 lbs=$3 dev target
  while nbd_connected /dev/nbd$next_nbd; do next_nbd=$((next_nbd + 1)); done
  dev=/dev/nbd$next_nbd; next_nbd=$((next_nbd + 1))
  wait_for 10 '' is_block "$dev" || { log "$dev missing (nbds_max?)"; return 1; }
  if [ "$transport" = tcp ]; then target=(127.0.0.1 "$port"); else target=(-unix "$sock"); fi
  # Netlink set-up (nbd-client's default): the kernel holds the sockets, no daemon stays behind.
  nbds+=("$dev")
  nbd-client "${target[@]}" "$dev" -N "$export_name" -C "$c" -b "$lbs" >"$work/$name.log" 2>&1 \
    || { log "nbd-client failed:"; cat "$work/$name.log" >&2; return 1; }
  wait_for 30 '' has_size "$dev" || { log "$dev has no size after nbd-client"; return 1; }
  devs[$name]=$dev
  log "$name: $dev, nbd-client ${target[*]} -N $export_name -C $c -b $lbs"
  log "$name: defaults $(queue_facts "$dev")"
  no_scheduler "$dev"
  if [ -n "$nbd_max_kb" ]; then
    echo "$nbd_max_kb" >"/sys/block/${dev#/dev/}/queue/max_sectors_kb" || { log "$dev: cannot set max_sectors_kb $nbd_max_kb"; return 1; }
    log "$name: max_sectors_kb set to $(cat "/sys/block/${dev#/dev/}/queue/max_sectors_kb")"
  fi
}



# Clients, in the order each row runs them; BASE_client is what its ratio is taken against.
servers=() bases=()
for c in $connections; do
  log "jublk-c$c: starting (nbd target, $c connection(s), $c queue(s) of depth $server_depth)"
  start_nbd_jublk "jublk-c$c" "$c"
  # The same logical block size for both, so the requests that reach the server look alike.
  lbs=$(cat "/sys/block/${devs[jublk-c$c]#/dev/}/queue/logical_block_size")
  log "kernel-nbd-c$c: starting (nbd-client, $c connection(s))"
  start_kernel "kernel-nbd-c$c" "$c" "$lbs"
  servers+=("kernel-nbd-c$c" "jublk-c$c") bases+=("kernel-nbd-c$c" "kernel-nbd-c$c")
done

results=$work/results
warm_up_and_measure "$results"

# ---- the table ------------------------------------------------------------------------------------
echo
echo "fio --direct=1 --ioengine=io_uring, 1 job, ${runtime}s measured after a ${ramp}s ramp; one qemu-nbd serving a"
echo "${size_mib} MiB file on tmpfs (written in full) over $transport ($url); MB = 10^6 bytes."
echo "kernel-nbd-cN: nbd-client -C N (N hardware queues of the kernel's depth); jublk-cN: jublk add -t nbd"
echo "--connections N -q N -d $server_depth${data_mode:+ --data-mode $data_mode}. Scheduler none on both${nbd_max_kb:+; kernel nbd max_sectors_kb $nbd_max_kb}."
echo "ratio = IOPS / the IOPS of kernel-nbd with the same connection count in the same row."
awk -v servers="${servers[*]}" -v bases="${bases[*]}" "$table_awk_head"'
  END {
    ns = split(servers, sv, " "); split(bases, bv, " ")
    for (j = 1; j <= ns; j++) base[sv[j]] = bv[j]
    printf "%-15s %-5s %-10s %7s %10s %9s %10s %10s %7s\n", "client", "bs", "rw", "iodepth", "IOPS", "MB/s", "mean_us", "p99_us", "ratio"
    for (i = 1; i <= n; i++) {
      key = order[i]; split(key, k, SUBSEP)
      for (j = 1; j <= ns; j++) {
        s = sv[j]
        if (!((key, s) in iops)) continue
        r = (s == base[s]) ? 1 : ratio(key, s, base[s])
        if (s != base[s] && r > 0) { logsum[s] += log(r); nr[s]++ }
        printf "%-15s %-5s %-10s %7s %10s %9.1f %10.1f %10.1f %7s\n", s, k[1], k[2], k[3], commas(iops[key, s]), mbps[key, s], mean[key, s], p99[key, s], fmt(r)
      }
      if (i < n) print ""
    }
    print ""
    print "Geometric mean of the ratios (GEOMEAN client base value rows):"
    for (j = 1; j <= ns; j++) {
      s = sv[j]
      if (nr[s] > 0) printf "GEOMEAN %s %s %.2f %d\n", s, base[s], exp(logsum[s] / nr[s]), nr[s]
    }
  }' "$results"
echo "kernel $(uname -r); $(nproc) CPUs${server_cpu:+, jublk servers on CPU $server_cpu}; guest load average $(cut -d' ' -f1-3 /proc/loadavg)"
