#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The part of bench-peers that runs where ublk_drv is (the test VM, or a host that has it), as root.
# Not meant to be called by hand: jublk-bench/bin/bench-peers passes every option.
#
#   bench-peers-guest.sh --java JAVA --jar JUBLK_JAR --kublk KUBLK [--runtime S] [--warmup S]
#                        [--row-warmup S] [--jit-settle S] [--rounds N] [--size-mib N] [--disk DEV]
#                        [--workloads "4k:randread:1 ..."] [--other 'CMD'] [--other-del 'CMD']
#
# Starts every server at once, each with one queue of depth 128: jublk and kublk null targets,
# jublk -t file --direct and kublk -t loop over one backing file on tmpfs, and the same over a file
# on ext4 on DEV (when given), plus the other server. Every device gets IO scheduler none, every
# server runs on one CPU and fio on another. After a warm-up of each, rounds of every workload
# run on every server, the server order rotating from round to round. Progress goes to stderr,
# the results to stdout: one "RESULT" line per fio run, then the table. Whatever it created is
# removed on exit, also on failure or a signal.
set -euo pipefail
# shellcheck source=bench-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

java='' jar='' kublk='' runtime=5 warmup=12 row_warmup=2 jit_settle=60 ramp=2 rounds=5 size_mib=1024
server_depth=128 seq_depth=16 disk='' other='' other_del=''
workloads='4k:randread:1 4k:randread:32 4k:randwrite:1 4k:randwrite:32'
while [ $# -gt 0 ]; do
  case $1 in
    --kublk) kublk=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --disk) disk=$2; shift 2 ;;
    --other) other=$2; shift 2 ;;
    --other-del) other_del=$2; shift 2 ;;
    *) row_bench_option "$1" "${2-}" || { echo "bench-peers-guest: unknown argument $1" >&2; exit 2; }; shift 2 ;;
  esac
done
preflight bench-peers-guest taskset
[ -x "$kublk" ] || { echo "bench-peers-guest: needs --kublk" >&2; exit 2; }

log() { echo "[bench-peers $(date +%T)] $*" >&2; }
work=$(mktemp -d /tmp/bench-peers.XXXXXX)
mnt=/mnt/bench-peers-ext4

# Servers on the first CPU, fio on the second: kublk pins its queue thread to the first CPU of
# the queue's affinity (CPU 0 here) whatever its mask, so the servers all go there.
ncpu=$(nproc) server_cpu=0 fio_cpu=1
[ "$ncpu" -ge 2 ] || fio_cpu=0
# Every fio, also those of bench-common's warm-up, runs on fio's CPU.
fio() {  # (taskset runs the fio binary, not this function)
  # fio_run starts fio in the background, in a subshell: exec there, so a signal reaches fio.
  [ "$BASHPID" = "$$" ] || exec taskset -c "$fio_cpu" fio "$@"
  taskset -c "$fio_cpu" fio "$@"
}

# ---- cleanup: everything we create is recorded here and undone on any exit -------------------
fio_pid='' mounted=0
declare -A pid_of devs id_of kind_of group_of del_of
servers=()
jublk_command "$java" "$jar" "$server_cpu"

stop_peer() {  # stop_peer NAME: a kublk or other server; deletes its device, then ends its process
  local pid=${pid_of[$1]:-} id=${id_of[$1]:-}
  [ -n "$id" ] || return 0
  if [ -e "/dev/ublkc$id" ]; then bash -c "${del_of[$1]}" >&2 2>&1 || log "$1: deleting dev $id failed"; fi
  if [ -n "$pid" ]; then
    alive_for 10 "$pid"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid_of[$1]=''
  if [ -e "/dev/ublkc$id" ]; then "${jublk_cmd[@]}" del -n "$id" >&2 || true; fi
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$fio_pid" ]; then kill -TERM "$fio_pid" 2>/dev/null; wait "$fio_pid" 2>/dev/null; fi
  local s left=''
  for s in "${servers[@]}"; do
    if [ "${kind_of[$s]}" = jublk ]; then stop_jublk "$s"; else stop_peer "$s"; fi
  done
  [ "$mounted" = 0 ] || umount "$mnt" || log "umount $mnt failed"
  rm -rf "$work"
  for s in "${servers[@]}"; do [ ! -e "/dev/ublkc${id_of[$s]:-x}" ] || left+=" /dev/ublkc${id_of[$s]}"; done
  [ -z "$left" ] || { log "WARNING: left behind:$left"; [ $rc -ne 0 ] || rc=1; }
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# ---- servers --------------------------------------------------------------------------------------
take_id() {  # take_id NAME: a free device id for NAME
  while [ -e /dev/ublkc$next_id ] || [ -e /dev/ublkb$next_id ]; do next_id=$((next_id + 1)); done
  id_of[$1]=$next_id
  next_id=$((next_id + 1))
}

start_peer() {  # start_peer NAME DEL-CMD CMD: a server that stays in the foreground, on the server CPU
  local name=$1 del=$2 cmd=$3 slog=$work/$1.log id=${id_of[$1]}
  del_of[$name]=$del
  log "$name: $cmd"
  taskset -c "$server_cpu" bash -c "exec $cmd" >"$slog" 2>&1 </dev/null &
  pid_of[$name]=$!
  # An other server may be a JVM, whose start under TCG takes minutes on a busy host.
  if ! wait_for 300 "${pid_of[$name]}" test -b "/dev/ublkb$id"; then
    log "$name: /dev/ublkb$id did not come up; its output:"; cat "$slog" >&2; return 1
  fi
  wait_for 30 '' test "$(cat "/sys/block/ublkb$id/size" 2>/dev/null || echo 0)" != 0 || true
  devs[$name]=/dev/ublkb$id
}

add_server() {  # add_server NAME KIND GROUP ARGS...: starts it and records it
  local name=$1 kind=$2 group=$3
  shift 3
  kind_of[$name]=$kind group_of[$name]=$group
  servers+=("$name")
  case $kind in
    jublk) start_jublk "$name" -q 1 "$@" ;;
    kublk)
      take_id "$name"
      start_peer "$name" "$kublk del -n ${id_of[$name]}" \
        "$kublk add -q 1 -d $server_depth -n ${id_of[$name]} --foreground $*" ;;
    other)
      take_id "$name"
      local cmd=${other//\{queues\}/1} del=${other_del//\{queues\}/1}
      cmd=${cmd//\{depth\}/$server_depth} cmd=${cmd//\{id\}/${id_of[$name]}} cmd=${cmd//\{file\}/${1-}}
      del=${del//\{depth\}/$server_depth} del=${del//\{id\}/${id_of[$name]}} del=${del//\{file\}/${1-}}
      # Without a delete command the server is sent SIGTERM.
      [ -n "$del" ] || del=true
      start_peer "$name" "$del" "$cmd" ;;
  esac
  # blk-mq's scheduler would add its own cost on top of the server's.
  echo none >"/sys/block/${devs[$name]#/dev/}/queue/scheduler" 2>/dev/null \
    || log "$name: cannot set IO scheduler none"
  log "$name: ${devs[$name]}, scheduler $(cat "/sys/block/${devs[$name]#/dev/}/queue/scheduler")"
}

backing_file() {  # backing_file PATH: writes it in full, so reads hit data and writes never fill holes
  log "writing $size_mib MiB to $1"
  dd if=/dev/zero of="$1" bs=1M count="$size_mib" conv=fsync status=none
}

log "kernel $(uname -r), $ncpu CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), fio $(command fio --version)"
if [ "$ncpu" -lt 2 ]; then
  log "only one CPU: the servers and fio share CPU 0"
else
  log "servers on CPU $server_cpu, fio on CPU $fio_cpu"
fi
log "kublk: $kublk ($(cat "$(dirname "$kublk")/VERSION" 2>/dev/null || echo 'version unknown'))"

add_server jublk-null jublk null -t null -s 1G
add_server kublk-null kublk null -t null
tmpfs_file=$work/backing.img
backing_file "$tmpfs_file"
add_server jublk-tmpfs jublk tmpfs -t file --path "$tmpfs_file" --direct
add_server kublk-tmpfs kublk tmpfs -t loop "$tmpfs_file"
if [ -n "$disk" ]; then
  modprobe virtio_blk 2>/dev/null || true
  modprobe ext4 2>/dev/null || true
  wait_for 30 '' test -b "$disk" || { log "no $disk"; exit 1; }
  mkdir -p "$mnt"
  mount -t ext4 "$disk" "$mnt"
  mounted=1
  echo none >"/sys/block/${disk#/dev/}/queue/scheduler" 2>/dev/null || true
  ext4_file=$mnt/backing.img
  backing_file "$ext4_file"
  add_server jublk-ext4 jublk ext4 -t file --path "$ext4_file" --direct
  add_server kublk-ext4 kublk ext4 -t loop "$ext4_file"
fi
if [ -n "$other" ]; then
  case $other in
    *'{file}'*)
      add_server other-tmpfs other tmpfs "$tmpfs_file"
      [ -z "$disk" ] || add_server other-ext4 other ext4 "$ext4_file" ;;
    *) add_server other-null other null ;;
  esac
fi

# ---- warm-up, then rounds -------------------------------------------------------------------------
for s in "${servers[@]}"; do
  log "$s: warm-up ${warmup}s on ${devs[$s]}, then ${row_warmup}s of each row"
  # The row rounds repeat while a JVM's compiler threads are busy; a C server has none: one round.
  # shellcheck disable=SC2086
  warm_up "${devs[$s]}" "${pid_of[$s]}" "$warmup" "$row_warmup" "$jit_settle" "$work" "$seq_depth" $workloads
done

cpu_ticks() {  # cpu_ticks PID: utime + stime of the whole process, in clock ticks
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
hz=$(getconf CLK_TCK)

# RESULT server group bs rw iodepth round iops mean_us p99_us cpu_us_per_io
measure_peer() {  # measure_peer SERVER BS RW QD ROUND
  local s=$1 bs=$2 rw=$3 qd=$4 json=$work/$1-$2-$3-$4-$5.json pid=${pid_of[$1]} t0 t1 ios line
  # The ramp runs on its own, so that the CPU time counted is that of the measured IOs alone.
  fio_run "${devs[$s]}" "$rw" "$bs" "$qd" "$ramp" 0 "$json"
  t0=$(cpu_ticks "$pid")
  fio_run "${devs[$s]}" "$rw" "$bs" "$qd" "$runtime" 0 "$json"
  t1=$(cpu_ticks "$pid")
  ios=$(jq '.jobs[0].read.total_ios + .jobs[0].write.total_ios' "$json")
  read -r _ _ _ _ _ iops _ mean p99 <<<"$(result_line "$s" "$bs" "$rw" "$qd" "$json")"
  line="RESULT $s ${group_of[$s]} $bs $rw $qd $5 $iops $mean $p99 $(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$ios" \
    'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
  echo "$line" >>"$work/results"
  echo "$line"
  log "round $5: $s $bs $rw iodepth $qd: $iops IOPS, mean $mean us, p99 $p99 us, server CPU ${line##* } us/IO"
}

: >"$work/results"
nserv=${#servers[@]}
log "$rounds rounds of ${runtime}s runs (after a ${ramp}s ramp each) over $nserv servers"
for ((r = 1; r <= rounds; r++)); do
  for w in $workloads; do
    IFS=: read -r bs rw qd <<<"$w"
    for ((i = 0; i < nserv; i++)); do
      # Each round starts one server later, so that no server always runs first or last.
      measure_peer "${servers[$(((i + r - 1) % nserv))]}" "$bs" "$rw" "$qd" "$r"
    done
  done
done

# ---- the table ----------------------------------------------------------------------------------
echo
echo "fio 4k --direct=1 --ioengine=io_uring on CPU $fio_cpu, servers on CPU $server_cpu, 1 queue of depth $server_depth,"
echo "scheduler none; $rounds rounds of ${runtime}s (after a ${ramp}s ramp), server order rotated; median (min-max)."
echo "cpu/IO = server process utime+stime over the measured run / IOs; ratio = median IOPS / kublk's in the group."
awk '
  # RESULT server group bs rw iodepth round iops mean p99 cpu
  { key = $3 SUBSEP $5 SUBSEP $6; s = $2
    n = ++cnt[key, s]; iops[key, s, n] = $8; mean[key, s, n] = $9; p99[key, s, n] = $10; cpu[key, s, n] = $11
    if (!((key, s) in seen)) { seen[key, s] = 1; names[key] = names[key] " " s }
    if (!(key in kseen)) { kseen[key] = 1; order[++nk] = key }
    if (!($3 in gseen)) { gseen[$3] = 1; groups[++ng] = $3 } }
  function median(a, key, s, n,   v, i, j, t) {
    for (i = 1; i <= n; i++) v[i] = a[key, s, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    lo = v[1]; hi = v[n]
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  function commas(v,   s) { s = sprintf("%d", v); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
  END {
    printf "%-7s %-10s %-3s %-12s %-22s %-8s %-8s %-8s %s\n", "group", "rw", "qd", "server", "IOPS (min-max)", "mean_us", "p99_us", "cpu/IO", "ratio"
    for (g = 1; g <= ng; g++) for (k = 1; k <= nk; k++) {
      key = order[k]; split(key, kk, SUBSEP); ns = split(substr(names[key], 2), sv, " ")
      if (kk[1] != groups[g]) continue
      if (printed++) print ""
      base = 0
      if ((key, "kublk-" kk[1]) in seen) base = median(iops, key, "kublk-" kk[1], cnt[key, "kublk-" kk[1]])
      for (j = 1; j <= ns; j++) {
        s = sv[j]; n = cnt[key, s]
        m = median(iops, key, s, n); range = commas(lo) "-" commas(hi)
        printf "%-7s %-10s %-3s %-12s %-22s %-8.1f %-8.1f %-8.1f %s\n", kk[1], kk[2], kk[3], s,
          commas(m) " (" range ")", median(mean, key, s, n), median(p99, key, s, n), median(cpu, key, s, n),
          (base > 0 ? sprintf("%.2f", m / base) : "-")
      }
    }
  }' "$work/results"
echo "kernel $(uname -r); $ncpu CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
