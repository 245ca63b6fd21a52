# Shell functions the guest halves of the benchmarks share; sourced, never run. Each benchmark
# defines log() and keeps the pid of a running fio in fio_pid, so that its cleanup can stop it.

alive_for() {  # alive_for SECONDS PID: waits until PID is gone or SECONDS have passed
  local deadline=$((SECONDS + $1))
  while kill -0 "$2" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
}

wait_for() {  # wait_for SECONDS PID CONDITION...: until CONDITION holds; fails if PID (if any) dies
  local secs=$1 pid=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
is_block() { [ -b "$1" ]; }

# ---- fio (bench-file, bench-nbd) -----------------------------------------------------------------
fio_run() {  # fio_run DEV RW BS IODEPTH SECONDS RAMP OUTPUT [MORE FIO OPTIONS]
  local dev=$1 rw=$2 bs=$3 qd=$4 secs=$5 ramp=$6 out=$7 ramp_opt=()
  shift 7
  [ "$ramp" -gt 0 ] && ramp_opt=(--ramp_time="$ramp")
  fio --name=bench --filename="$dev" --ioengine=io_uring --direct=1 --bs="$bs" --rw="$rw" \
      --iodepth="$qd" --numjobs=1 --time_based --runtime="$secs" "${ramp_opt[@]}" \
      --norandommap --randrepeat=0 --lat_percentiles=1 "$@" --output-format=json >"$out" 2>"$out.err" &
  # In the background, so that a signal runs the trap now rather than after fio is done.
  fio_pid=$!
  wait "$fio_pid" || { log "fio failed on $dev ($rw $bs qd $qd):"; cat "$out.err" "$out" >&2; fio_pid=''; return 1; }
  fio_pid=''
}

# RESULT server bs rw iodepth iops MB/s mean_us p99_us  (MB = 10^6 bytes; latency from submission)
result_line() {  # result_line SERVER BS RW QD JSON
  local dir=read
  case $3 in *write) dir=write ;; esac
  jq -r --arg s "$1" --arg bs "$2" --arg rw "$3" --arg qd "$4" --arg d "$dir" '
    .jobs[0][$d] as $x
    | ["RESULT", $s, $bs, $rw, $qd, ($x.iops | floor), ($x.bw_bytes / 100000 | round / 10),
       ($x.lat_ns.mean / 100 | round / 10),
       (($x.lat_ns.percentile // $x.clat_ns.percentile)["99.000000"] / 100 | round / 10)]
    | map(tostring) | join(" ")' "$5"
}

warm_up() {  # warm_up DEV SECONDS ROW_SECONDS WORK_DIR SEQ_DEPTH WORKLOAD...
  # A mix of every request size for SECONDS, then each measured row for ROW_SECONDS: C2 compiles a
  # Java server for the mix, and again for a row whose profile differs (a pure read, a lone
  # request), which mid-measurement would cost the first run of that row a second of compiling.
  local dev=$1 secs=$2 row_secs=$3 dir=$4 seq_depth=$5 w bs rw qd
  shift 5
  fio_run "$dev" randrw 4k 32 "$secs" 0 "$dir/warmup.json" --bssplit=4k/50:64k/25:1m/25
  [ "$row_secs" -gt 0 ] || return 0
  for w in "$@"; do
    IFS=: read -r bs rw qd <<<"$w"
    [ "$qd" = seq ] && qd=$seq_depth
    fio_run "$dev" "$rw" "$bs" "$qd" "$row_secs" 0 "$dir/warmup.json"
  done
}
