#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The part of profile-depth1 that runs where ublk_drv is, as root: where a lone request's time
# goes in jublk's null target and in kublk's. Not meant to be called by hand.
#
#   profile-depth1-guest.sh --java JAVA --jar JUBLK_JAR [--base-jar JAR] --kublk KUBLK [--ios N] [--warmup S]
#
# For each server (1 queue of depth 128 on CPU 0, fio on CPU 1, scheduler none): a warm-up, a
# plain fio run at iodepth 1 for the IOPS, then N IOs each under perf stat (system calls, timers,
# context switches, wake-ups of the server process) and under strace -c -f (system calls by
# name); for jublk, the JIT state of the hot methods. Everything goes to stdout.
set -euo pipefail
# shellcheck source=bench-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

java='' jar='' base_jar='' kublk='' ios=20000 warmup=20 runtime=5 server_depth=128
while [ $# -gt 0 ]; do
  case $1 in
    --kublk) kublk=$2; shift 2 ;;
    --base-jar) base_jar=$2; shift 2 ;;
    --ios) ios=$2; shift 2 ;;
    *) common_option "$1" "${2-}" || { echo "profile-depth1-guest: unknown argument $1" >&2; exit 2; }; shift 2 ;;
  esac
done
preflight profile-depth1-guest taskset strace perf

log() { echo "[profile-depth1 $(date +%T)] $*" >&2; }
work=$(mktemp -d /tmp/profile-depth1.XXXXXX)
fio_pid='' jublk_pid='' kublk_pid='' next_id=60
fio_cpu=1
[ "$(nproc)" -ge 2 ] || fio_cpu=0
jublk_command "$java" "$jar" 0
cleanup() {
  set +e
  [ -z "$fio_pid" ] || kill "$fio_pid" 2>/dev/null
  [ -z "$kublk_pid" ] || { "$kublk" del -n "$kublk_id" >/dev/null 2>&1; wait "$kublk_pid"; }
  if [ -n "$jublk_pid" ]; then kill -TERM "$jublk_pid"; alive_for 60 "$jublk_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null || true

fio1() {  # fio1 DEV EXTRA...: fio at iodepth 1 on fio's CPU
  taskset -c "$fio_cpu" fio --name=p --filename="$1" --ioengine=io_uring --direct=1 --bs=4k --rw=randread \
    --iodepth=1 --norandommap --randrepeat=0 --output-format=json "${@:2}" >"$work/fio.json" 2>"$work/fio.err" \
    || { cat "$work/fio.err" >&2; return 1; }
  jq -r '.jobs[0].read | "\(.iops | floor) IOPS, mean \(.lat_ns.mean / 1000 | floor) us, \(.total_ios) IOs"' "$work/fio.json"
}

profile() {  # profile NAME PID DEV
  local name=$1 pid=$2 dev=$3
  echo none >"/sys/block/${dev#/dev/}/queue/scheduler" 2>/dev/null || true
  log "$name: warm-up ${warmup}s"
  taskset -c "$fio_cpu" fio --name=w --filename="$dev" --ioengine=io_uring --direct=1 --bs=4k --rw=randrw \
    --iodepth=32 --time_based --runtime="$warmup" --output-format=terse >/dev/null
  fio1 "$dev" --time_based --runtime="$warmup" >/dev/null
  echo "== $name: plain: $(fio1 "$dev" --time_based --runtime="$runtime")"
  local t0 t1
  t0=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
  echo "== $name: $ios IOs: $(fio1 "$dev" --number_ios="$ios" --size=512M)"
  t1=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
  echo "== $name: server CPU $(( (t1 - t0) * 10 )) ms for those IOs"
  echo "== $name: perf stat of the server process over $ios IOs"
  perf stat -x, -p "$pid" -e 'syscalls:sys_enter_io_uring_enter,timer:hrtimer_start,timer:hrtimer_cancel,timer:hrtimer_expire_entry,sched:sched_switch,sched:sched_wakeup,context-switches,cpu-migrations,task-clock' \
    -o "$work/stat" -- taskset -c "$fio_cpu" fio --name=p --filename="$dev" --ioengine=io_uring --direct=1 --bs=4k \
    --rw=randread --iodepth=1 --number_ios="$ios" --size=512M --output-format=terse >/dev/null \
    || log "perf stat failed"
  awk -F, -v n="$ios" '!/^#/ && NF > 2 && $1 ~ /^[0-9.]+$/ { printf "   %-40s %12s %-4s %8.3f per IO\n", $3, $1, $2, $1 / n }' "$work/stat"
  echo "== $name: strace -c -f of the server over $ios IOs"
  strace -c -f -p "$pid" -o "$work/strace" &
  local strace_pid=$!
  sleep 2
  fio1 "$dev" --number_ios="$ios" --size=512M >/dev/null
  kill -INT "$strace_pid"; wait "$strace_pid" || true
  sed 's/^/   /' "$work/strace"
}

log "kernel $(uname -r), $(nproc) CPUs"
while [ -e /dev/ublkc$next_id ]; do next_id=$((next_id + 1)); done
jublk_id=$next_id kublk_id=$((next_id + 1))
profile_jublk() {  # profile_jublk NAME JAR
  jublk_command "$java" "$2" 0
  "${jublk_cmd[@]}" add -t null -s 1G -q 1 -d "$server_depth" -n "$jublk_id" --foreground >"$work/jublk.log" 2>&1 &
  jublk_pid=$!
  wait_for 300 "$jublk_pid" grep -q '^serving in process' "$work/jublk.log" || { cat "$work/jublk.log" >&2; exit 1; }
  profile "$1" "$jublk_pid" /dev/ublkb$jublk_id
  echo "== $1: JIT state of the hot methods (compile id, tier, method)"
  "$(dirname "$java")/jcmd" "$jublk_pid" Compiler.codelist 2>/dev/null \
    | grep -E 'QueueEngine\.(poll|onCompletion|onIoCommand|dispatch|commit)|IoUring\.(enter|submitAndWait|pollCompletions)|CompletionQueue\.drain|QueueRunner\.run' \
    | cut -c1-160 | sed 's/^/   /' | head -n 30 || true
  kill -TERM "$jublk_pid"; alive_for 60 "$jublk_pid"; jublk_pid=''
}
[ -z "$base_jar" ] || profile_jublk jublk-base-null "$base_jar"
profile_jublk jublk-null "$jar"

taskset -c 0 "$kublk" add -t null -q 1 -d "$server_depth" -n "$kublk_id" --foreground >"$work/kublk.log" 2>&1 &
kublk_pid=$!
wait_for 60 "$kublk_pid" test -b /dev/ublkb$kublk_id || { cat "$work/kublk.log" >&2; exit 1; }
sleep 1
profile kublk-null "$kublk_pid" /dev/ublkb$kublk_id
