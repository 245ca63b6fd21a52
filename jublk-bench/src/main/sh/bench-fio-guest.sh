#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The part of bench-fio that runs where ublk_drv is (the test VM, or a host that has it), as root.
# Not meant to be called by hand: jublk-bench/bin/bench-fio passes every option.
#
#   bench-fio-guest.sh --java JAVA --jar JUBLK_JAR [--runtime S] [--warmup S] [--queues "1 2"]
#                      [--rws "randread randwrite"] [--depths "1 32"] [--server-depth 128]
#                      [--other 'CMD {queues} {depth} {id}'] [--other-del 'CMD {id}']
#
# For each queue count, each server (kernel null_blk, jublk null, the other ublk server) gets one
# device and a long warm-up; then for each rw x iodepth the servers run fio back to back (each run
# with a 2 s ramp that is not counted). Progress goes to stderr, the results to stdout: one
# "RESULT" line per fio run, then the table. Whatever it created is removed on exit, also on
# failure or a signal.
set -euo pipefail
# shellcheck source=bench-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

java='' jar='' runtime=5 warmup=12 row_warmup=2 ramp=2 server_depth=128
queue_counts='1 2' rws='randread randwrite' depths='1 32'
other='' other_del=''
while [ $# -gt 0 ]; do
  case $1 in
    --queues) queue_counts=$2; shift 2 ;;
    --rws) rws=$2; shift 2 ;;
    --depths) depths=$2; shift 2 ;;
    --other) other=$2; shift 2 ;;
    --other-del) other_del=$2; shift 2 ;;
    *) common_option "$1" "${2-}" || { echo "bench-fio-guest: unknown argument $1" >&2; exit 2; }; shift 2 ;;
  esac
done
preflight bench-fio-guest

work=$(mktemp -d /tmp/bench-fio.XXXXXX)
log() { echo "[bench-fio $(date +%T)] $*" >&2; }

# Two ids that are free now: one for jublk, one for the other server.
free_ids=()
for ((n = 60; n < 200 && ${#free_ids[@]} < 2; n++)); do
  [ -e /dev/ublkc$n ] || [ -e /dev/ublkb$n ] || free_ids+=("$n")
done
jublk_id=${free_ids[0]} other_id=${free_ids[1]}

# ---- cleanup: everything we create is recorded here and undone on any exit -------------------
fio_pid='' jublk_pid='' jublk_live=0 other_pid='' other_live=0 other_q='' nullblk_loaded=0
jublk_cmd=("$java" --enable-native-access=ALL-UNNAMED -jar "$jar")


stop_jublk() {
  [ -n "$jublk_pid" ] || return 0
  if kill -0 "$jublk_pid" 2>/dev/null; then
    kill -TERM "$jublk_pid" 2>/dev/null || true
    # The shutdown hook deletes the device; a JVM under TCG may take a while.
    alive_for 60 "$jublk_pid"
    if kill -0 "$jublk_pid" 2>/dev/null; then
      log "jublk server $jublk_pid did not exit after SIGTERM; killing it"
      kill -KILL "$jublk_pid" 2>/dev/null || true
    fi
  fi
  wait "$jublk_pid" 2>/dev/null || true
  jublk_pid=''
  if [ -e /dev/ublkc$jublk_id ]; then
    log "dev $jublk_id still there after its server exited; deleting it"
    "${jublk_cmd[@]}" del -n "$jublk_id" >&2 || true
  fi
  jublk_live=0
}

subst() {  # subst TEMPLATE QUEUES: fills {queues} {depth} {id}
  local s=$1
  s=${s//\{queues\}/$2}; s=${s//\{depth\}/$server_depth}; s=${s//\{id\}/$other_id}
  printf '%s' "$s"
}

stop_other() {
  if [ "$other_live" = 1 ] || [ -n "$other_pid" ] || [ -e /dev/ublkc$other_id ]; then
    if [ -n "$other_del" ] && [ -n "$other_q" ]; then
      bash -c "$(subst "$other_del" "$other_q")" >&2 || log "other-del failed"
    fi
    if [ -n "$other_pid" ]; then
      # A server that stays in the foreground exits once its device is deleted; else make it.
      alive_for 10 "$other_pid"
      kill -TERM "$other_pid" 2>/dev/null || true
      wait "$other_pid" 2>/dev/null || true
    fi
    if [ -e /dev/ublkc$other_id ]; then
      log "dev $other_id still there; deleting it with jublk del"
      "${jublk_cmd[@]}" del -n "$other_id" >&2 || true
    fi
  fi
  other_pid='' other_live=0
}

unload_nullblk() {
  if [ "$nullblk_loaded" = 1 ] || [ -d /sys/module/null_blk ]; then
    for ((i = 0; i < 50; i++)); do rmmod null_blk 2>/dev/null && break; sleep 0.2; done
  fi
  nullblk_loaded=0
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$fio_pid" ]; then kill -TERM "$fio_pid" 2>/dev/null; wait "$fio_pid" 2>/dev/null; fi
  stop_jublk
  stop_other
  unload_nullblk
  rm -rf "$work"
  local left
  left=$(ls /dev/ublkc$jublk_id /dev/ublkc$other_id /dev/nullb0 2>/dev/null)
  [ -z "$left" ] || { log "WARNING: left behind: $left"; [ $rc -ne 0 ] || rc=1; }
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# ---- servers ------------------------------------------------------------------------------------

start_nullblk() {  # start_nullblk QUEUES: sets dev
  [ -d /sys/module/null_blk ] && { rmmod null_blk || { log "cannot unload null_blk (in use?)"; return 1; }; }
  modprobe null_blk queue_mode=2 submit_queues="$1" hw_queue_depth="$server_depth" nr_devices=1 gb=1 irqmode=0
  nullblk_loaded=1
  wait_for 30 '' is_block /dev/nullb0 || { log "/dev/nullb0 did not appear"; return 1; }
  dev=/dev/nullb0
}

start_jublk() {  # start_jublk QUEUES: sets dev
  local slog=$work/jublk-q$1.log
  "${jublk_cmd[@]}" add -t null -s 1G -q "$1" -d "$server_depth" -n "$jublk_id" --foreground >"$slog" 2>&1 &
  jublk_pid=$!
  if ! wait_for 300 "$jublk_pid" grep -q '^serving in process' "$slog"; then
    log "jublk server did not come up; its output:"; cat "$slog" >&2; return 1
  fi
  jublk_live=1
  log "jublk: $(head -n 1 "$slog")"
  wait_for 30 '' is_block /dev/ublkb$jublk_id || { log "/dev/ublkb$jublk_id missing"; return 1; }
  dev=/dev/ublkb$jublk_id
}

start_other() {  # start_other QUEUES: sets dev
  local slog=$work/other-q$1.log cmd
  cmd=$(subst "$other" "$1")
  other_q=$1
  log "other: $cmd"
  # In the background either way: a daemonizing 'add' exits at once, a foreground server stays.
  bash -c "exec $cmd" >"$slog" 2>&1 </dev/null &
  other_pid=$!
  other_live=1
  local deadline=$((SECONDS + 300))
  until [ -b /dev/ublkb$other_id ] && [ "$(cat /sys/block/ublkb$other_id/size 2>/dev/null || echo 0)" != 0 ]; do
    if ! kill -0 "$other_pid" 2>/dev/null; then
      # Exited: fine if it daemonized with success and the device shows up, else a failure.
      if ! wait "$other_pid"; then
        log "other server failed; its output:"; cat "$slog" >&2; other_pid=''; return 1
      fi
      other_pid=''
    fi
    if [ $SECONDS -ge $deadline ]; then log "/dev/ublkb$other_id did not come up"; cat "$slog" >&2; return 1; fi
    sleep 0.2
  done
  dev=/dev/ublkb$other_id
}

stop_server() {
  case $1 in
    null_blk) unload_nullblk ;;
    jublk) stop_jublk ;;
    other) stop_other ;;
  esac
}

# ---- fio ------------------------------------------------------------------------------------------
ncpu=$(nproc)
fio_run() {  # fio_run DEV RW IODEPTH JOBS SECONDS RAMP OUTPUT
  local dev=$1 rw=$2 qd=$3 jobs=$4 secs=$5 ramp=$6 out=$7 pin=()
  # One job per queue; with as many CPUs as jobs, one job per CPU, so that blk-mq's CPU -> queue
  # map sends each job's I/O to its own queue.
  if [ "$jobs" -gt 1 ] && [ "$jobs" -le "$ncpu" ]; then
    pin=(--cpus_allowed="0-$((jobs - 1))" --cpus_allowed_policy=split)
  fi
  local ramp_opt=()
  [ "$ramp" -gt 0 ] && ramp_opt=(--ramp_time="$ramp")
  fio --name=bench --filename="$dev" --ioengine=io_uring --direct=1 --bs=4k --rw="$rw" \
      --iodepth="$qd" --numjobs="$jobs" --group_reporting --time_based --runtime="$secs" "${ramp_opt[@]}" \
      --norandommap --randrepeat=0 --lat_percentiles=1 "${pin[@]}" --output-format=json >"$out" 2>"$out.err" &
  # In the background, so that a signal runs the trap now rather than after fio is done.
  fio_pid=$!
  wait "$fio_pid" || { log "fio failed on $dev ($rw qd $qd jobs $jobs):"; cat "$out.err" "$out" >&2; fio_pid=''; return 1; }
  fio_pid=''
}

# RESULT server rw iodepth queues iops mean_us p99_us
result_line() {  # result_line SERVER RW QD QUEUES JSON
  local dir=read
  [ "$2" = randwrite ] && dir=write
  jq -r --arg s "$1" --arg rw "$2" --arg qd "$3" --arg q "$4" --arg d "$dir" '
    .jobs[0][$d] as $x
    | ["RESULT", $s, $rw, $qd, $q, ($x.iops | floor), ($x.lat_ns.mean / 100 | round / 10),
       (($x.lat_ns.percentile // $x.clat_ns.percentile)["99.000000"] / 100 | round / 10)]
    | map(tostring) | join(" ")' "$5"
}

servers=(null_blk jublk)
[ -n "$other" ] && servers+=(other)
results=$work/results
: >"$results"

log "kernel $(uname -r), $ncpu CPUs, fio $(fio --version), runtime ${runtime}s + ${ramp}s ramp, warm-up ${warmup}s per server"
declare -A devs
for q in $queue_counts; do
  # All servers live at once and measured back to back for each row, so that a ratio compares
  # runs seconds apart, not minutes: the load of a shared host drifts.
  for s in "${servers[@]}"; do
    log "$s: starting with $q queue(s) of depth $server_depth"
    start_"${s/null_blk/nullblk}" "$q"  # sets dev (not in a subshell: it records what to clean up)
    devs[$s]=$dev
  done
  for s in "${servers[@]}"; do
    # Warm-up: a mix of reads and writes at the deepest depth, long enough for the JIT (C2) to
    # compile a Java server's hot paths, then each row unmeasured, which C2 may compile again
    # for its profile; the same for every server, so nobody is favoured.
    log "$s: warm-up ${warmup}s on ${devs[$s]}, then ${row_warmup}s of each row"
    fio_run "${devs[$s]}" randrw 32 "$q" "$warmup" 0 "$work/warmup.json"
    if [ "$row_warmup" -gt 0 ]; then
      for rw in $rws; do
        for qd in $depths; do
          fio_run "${devs[$s]}" "$rw" "$qd" "$q" "$row_warmup" 0 "$work/warmup.json"
        done
      done
    fi
  done
  for rw in $rws; do
    for qd in $depths; do
      for s in "${servers[@]}"; do
        json=$work/$s-$rw-qd$qd-q$q.json
        fio_run "${devs[$s]}" "$rw" "$qd" "$q" "$runtime" "$ramp" "$json"
        line=$(result_line "$s" "$rw" "$qd" "$q" "$json")
        echo "$line" >>"$results"
        echo "$line"
        read -r _ _ _ _ _ iops mean p99 <<<"$line"
        log "$s $rw iodepth $qd, $q queue(s): $iops IOPS, mean $mean us, p99 $p99 us"
      done
    done
  done
  for s in "${servers[@]}"; do stop_server "$s"; done
done

# ---- the table ----------------------------------------------------------------------------------
echo
echo "fio 4k, --direct=1 --ioengine=io_uring, ${runtime}s measured after a ${ramp}s ramp; numjobs = queues;"
echo "server queue depth $server_depth; ratio = this server's IOPS / null_blk's IOPS in the same row group"
awk -v servers="${servers[*]}" '
  # RESULT server rw iodepth queues iops mean_us p99_us; rows grouped by queues, rw, iodepth
  { key = $5 SUBSEP $3 SUBSEP $4; iops[key, $2] = $6; mean[key, $2] = $7; p99[key, $2] = $8
    if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  function commas(v,   s) { s = sprintf("%d", v); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
  END {
    ns = split(servers, sv, " ")
    printf "%-9s %-10s %7s %6s %10s %10s %10s %8s\n", "server", "rw", "iodepth", "queues", "IOPS", "mean_us", "p99_us", "ratio"
    for (i = 1; i <= n; i++) {
      key = order[i]; split(key, k, SUBSEP); base = iops[key, "null_blk"]
      for (j = 1; j <= ns; j++) {
        s = sv[j]
        if (!((key, s) in iops)) continue
        ratio = (base > 0) ? sprintf("%.2f", iops[key, s] / base) : "-"
        printf "%-9s %-10s %7s %6s %10s %10.1f %10.1f %8s\n", s, k[2], k[3], k[1], commas(iops[key, s]), mean[key, s], p99[key, s], ratio
        if (s != "null_blk" && base > 0) { lsum[s] += log(iops[key, s] / base); cnt[s]++ }
      }
      if (i < n) print ""
    }
    print ""
    for (j = 1; j <= ns; j++) {
      s = sv[j]
      if (cnt[s] > 0) printf "%s/null_blk IOPS ratio, geometric mean of %d rows: %.2f\n", s, cnt[s], exp(lsum[s] / cnt[s])
    }
  }' "$results"
echo "kernel $(uname -r); $ncpu CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
