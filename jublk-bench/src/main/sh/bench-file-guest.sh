#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The part of bench-file that runs where ublk_drv is (the test VM, or a host that has it), as root.
# Not meant to be called by hand: jublk-bench/bin/bench-file passes every option.
#
#   bench-file-guest.sh --java JAVA --jar JUBLK_JAR [--runtime S] [--warmup S] [--row-warmup S] [--jit-settle S] [--server-cpu N] [--size-mib N]
#                       [--modes "copy copy-application-buffers user-copy zero-copy auto-zero-copy"]
#                       [--backing buffered|direct|both] [--seq-depth N] [--server-depth N]
#                       [--workloads "4k:randread:32 1m:read:seq ..."] [--no-null]
#
# Writes one backing file in full on tmpfs, puts the kernel's loop device over it (direct-io off,
# and on when the file takes O_DIRECT), jublk's null target for reference (unless --no-null) and
# one jublk file server per data mode and backing, warms
# each up once, then for each workload runs fio on every device back to back. Progress goes to
# stderr, the results to stdout: one "RESULT" line per fio run, the table, then "GOAL" lines.
# Whatever it created is removed on exit, also on failure or a signal.
set -euo pipefail
# shellcheck source=bench-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

java='' jar='' server_cpu='' runtime=5 warmup=12 row_warmup=2 jit_settle=60 ramp=2 size_mib=1024 server_depth=128 seq_depth=16
modes='copy copy-application-buffers user-copy zero-copy auto-zero-copy' backing=buffered null=1
workloads='4k:randread:1 4k:randread:32 4k:randwrite:1 4k:randwrite:32 64k:read:seq 64k:write:seq 1m:read:seq 1m:write:seq'
while [ $# -gt 0 ]; do
  case $1 in
    --modes) modes=$2; shift 2 ;;
    --backing) backing=$2; shift 2 ;;
    --no-null) null=0; shift ;;
    *) row_bench_option "$1" "${2-}" || { echo "bench-file-guest: unknown argument $1" >&2; exit 2; }; shift 2 ;;
  esac
done
preflight bench-file-guest losetup

log() { echo "[bench-file $(date +%T)] $*" >&2; }
# On tmpfs, so that the backing costs no device time: what is measured is the path to it.
work=$(mktemp -d /tmp/bench-file.XXXXXX)
[ "$(stat -f -c %T "$work")" = tmpfs ] || log "WARNING: $work is not on tmpfs ($(stat -f -c %T "$work"))"
file=$work/backing.img

# ---- cleanup: everything we create is recorded here and undone on any exit -------------------
fio_pid='' loop_loaded=0
declare -A pid_of devs loopdev_of id_of
loops=()
jublk_command "$java" "$jar" "$server_cpu"


cleanup() {
  local rc=$?
  set +e
  if [ -n "$fio_pid" ]; then kill -TERM "$fio_pid" 2>/dev/null; wait "$fio_pid" 2>/dev/null; fi
  local s l left=''
  for s in "${!pid_of[@]}"; do stop_jublk "$s"; done
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
  if [ "$loop_loaded" = 1 ]; then
    for ((i = 0; i < 25; i++)); do rmmod loop 2>/dev/null && break; sleep 0.2; done
  fi
  rm -rf "$work"
  for s in "${!id_of[@]}"; do [ ! -e "/dev/ublkc${id_of[$s]}" ] || left+=" /dev/ublkc${id_of[$s]}"; done
  for l in "${loops[@]}"; do losetup "$l" >/dev/null 2>&1 && left+=" $l"; done
  [ -z "$left" ] || { log "WARNING: left behind:$left"; [ $rc -ne 0 ] || rc=1; }
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP


# ---- the backing file ---------------------------------------------------------------------------
log "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), fio $(fio --version)"
avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
[ "$avail" -gt $((size_mib + 1024)) ] || { log "only $avail MiB available: too little for a $size_mib MiB file plus the servers"; exit 1; }
log "writing $size_mib MiB to $file"
# Every block written, so that reads hit data and writes overwrite it: no hole is ever read or filled.
dd if=/dev/zero of="$file" bs=1M count="$size_mib" status=none
# tmpfs takes O_DIRECT opens since Linux 6.6 (the data still goes through its page cache); older
# kernels refuse them, and then the direct rows are left out.
odirect=0
dd if="$file" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null && odirect=1
[ $odirect = 1 ] || log "the backing file does not open with O_DIRECT: no loop-dio, no --direct backing"

# ---- servers ------------------------------------------------------------------------------------
if [ ! -e /dev/loop-control ]; then
  modprobe loop || { log "cannot load the loop module"; exit 1; }
  loop_loaded=1
fi

start_loop() {  # start_loop NAME on|off: sets devs[NAME]
  local dev dio
  dev=$(losetup --show -f --direct-io="$2" "$file") || { log "losetup --direct-io=$2 failed"; return 1; }
  loops+=("$dev")
  dio=$(cat "/sys/block/${dev#/dev/}/loop/dio" 2>/dev/null || echo '?')
  if [ "$2" = on ] && [ "$dio" != 1 ]; then
    log "$dev: direct I/O asked for but not in effect (dio=$dio); leaving loop-dio out"
    losetup -d "$dev"; return 2
  fi
  devs[$1]=$dev
  log "$1: $dev, direct-io=$2 (sysfs dio=$dio)"
}



# Servers, in the order each row runs them; BASE_server is what its ratio is taken against.
servers=() bases=()
start_loop loop off
servers+=(loop) bases+=(loop)
if [ $odirect = 1 ] && start_loop loop-dio on; then
  servers+=(loop-dio) bases+=(loop)
fi
if [ "$null" = 1 ]; then
  # The ublk round trip with no file behind it: how much of a gap to loop is the transport's.
  log "null: starting (reference: the null target, 1 queue of depth $server_depth)"
  start_jublk null -q 1 -t null -s "${size_mib}M"
  servers+=(null) bases+=(loop)
fi
for b in buffered direct; do
  [ "$backing" = both ] || [ "$backing" = "$b" ] || continue
  if [ $b = direct ] && [ $odirect = 0 ]; then continue; fi
  for m in $modes; do
    name=$m
    [ $b = direct ] && name=$m-direct
    log "$name: starting (file target, $m, $b backing, 1 queue of depth $server_depth)"
    direct=()
    [ $b = direct ] && direct=(--direct)
    start_jublk "$name" -q 1 -t file --path "$file" "${direct[@]}" --data-mode "$m"
    servers+=("$name")
    # Like against like: a buffered backing against loop's buffered I/O, O_DIRECT against loop-dio.
    if [ $b = direct ]; then bases+=(loop-dio); else bases+=(loop); fi
  done
done

results=$work/results
warm_up_and_measure "$results"

# ---- the table and the goals ----------------------------------------------------------------------
echo
echo "fio --direct=1 --ioengine=io_uring, 1 job, ${runtime}s measured after a ${ramp}s ramp; backing: a ${size_mib} MiB"
echo "file on tmpfs, written in full; every server 1 queue of depth $server_depth (loop: its own); MB = 10^6 bytes."
echo "ratio = IOPS / the IOPS of the matching loop in the same row: loop (direct-io=off) for loop-dio and"
echo "jublk over a buffered fd, loop-dio (direct-io=on) for jublk with --direct (NAME-direct)."
[ "$null" = 0 ] || echo "null: jublk's null target (no file behind it), the ceiling of the ublk round trip here."
awk -v servers="${servers[*]}" -v bases="${bases[*]}" "$table_awk_head"'
  function goal(name, s, what, r, min) {
    if (r < 0) { printf "GOAL %s %s %s - %.2f MISSING\n", name, s, what, min; return }
    printf "GOAL %s %s %s %.2f %.2f %s\n", name, s, what, r, min, (r >= min ? "PASS" : "FAIL")
  }
  END {
    ns = split(servers, sv, " "); split(bases, bv, " ")
    for (j = 1; j <= ns; j++) base[sv[j]] = bv[j]
    printf "%-24s %-5s %-10s %7s %10s %9s %10s %10s %7s\n", "server", "bs", "rw", "iodepth", "IOPS", "MB/s", "mean_us", "p99_us", "ratio"
    for (i = 1; i <= n; i++) {
      key = order[i]; split(key, k, SUBSEP)
      for (j = 1; j <= ns; j++) {
        s = sv[j]
        if (!((key, s) in iops)) continue
        r = (s == "loop") ? 1 : ratio(key, s, base[s])
        printf "%-24s %-5s %-10s %7s %10s %9.1f %10.1f %10.1f %7s\n", s, k[1], k[2], k[3], commas(iops[key, s]), mbps[key, s], mean[key, s], p99[key, s], fmt(r)
      }
      if (i < n) print ""
    }
    print ""
    print "Goals (GOAL name server what value minimum verdict):"
    # 1. the file target at least as fast as the kernel loop device at 4k, iodepth 32.
    for (j = 1; j <= ns; j++) {
      s = sv[j]; if (s ~ /^loop/ || s == "null") continue
      for (i = 1; i <= n; i++) {
        split(order[i], k, SUBSEP)
        if (k[1] == "4k" && k[3] == 32) goal("4k-qd32-vs-loop", s, k[2], ratio(order[i], s, base[s]), 1.0)
      }
    }
    # 2. zero copy at least 1.5x copy for 1M sequential reads and writes (each backing apart).
    for (j = 1; j <= ns; j++) {
      s = sv[j]; if (s !~ /^(auto-)?zero-copy/) continue
      c = s; sub(/^(auto-)?zero-copy/, "copy", c)
      for (i = 1; i <= n; i++) {
        split(order[i], k, SUBSEP)
        if (k[1] == "1m" && k[2] !~ /^rand/) goal("1m-zero-copy-vs-copy", s "/" c, k[2], ratio(order[i], s, c), 1.5)
      }
    }
  }' "$results"
echo "kernel $(uname -r); $(nproc) CPUs${server_cpu:+, jublk servers on CPU $server_cpu}; guest load average $(cut -d' ' -f1-3 /proc/loadavg)"
