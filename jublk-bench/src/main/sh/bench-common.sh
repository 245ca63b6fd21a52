# SPDX-License-Identifier: Apache-2.0
# Shell functions the guest halves of the benchmarks share; sourced, never run. Each benchmark
# defines log() and keeps the pid of a running fio in fio_pid, so that its cleanup can stop it.

# ---- options and checks every benchmark has ------------------------------------------------------
common_option() {  # common_option NAME VALUE: sets the setting NAME names; fails if it is no common one
  case $1 in
    --java) java=$2 ;;
    --jar) jar=$2 ;;
    --runtime) runtime=$2 ;;
    --warmup) warmup=$2 ;;
    --row-warmup) row_warmup=$2 ;;
    --server-depth) server_depth=$2 ;;
    *) return 1 ;;
  esac
}

row_bench_option() {  # row_bench_option NAME VALUE: common_option, plus those of bench-file and bench-nbd
  case $1 in
    --jit-settle) jit_settle=$2 ;;
    --server-cpu) server_cpu=$2 ;;
    --size-mib) size_mib=$2 ;;
    --seq-depth) seq_depth=$2 ;;
    --workloads) workloads=$2 ;;
    *) common_option "$@" ;;
  esac
}

preflight() {  # preflight NAME TOOL...: exits unless java, the jar, ublk_drv, root and each TOOL are there
  local name=$1 tool
  shift
  [ -x "$java" ] && [ -f "$jar" ] || { echo "$name: needs --java and --jar" >&2; exit 2; }
  [ -e /dev/ublk-control ] || { echo "$name: no /dev/ublk-control (ublk_drv not loaded?)" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] || { echo "$name: must run as root" >&2; exit 1; }
  for tool in fio jq "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: needs $tool" >&2; exit 1; }
  done
}

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

jublk_command() {  # jublk_command JAVA JAR [CPU]: sets jublk_cmd, the jublk CLI, on CPU when given
  jublk_cmd=("$1" --enable-native-access=ALL-UNNAMED -jar "$2")
  [ -n "${3:-}" ] || return 0
  if ! [[ $3 =~ ^[0-9]+$ ]] || [ "$3" -ge "$(nproc)" ]; then
    log "--server-cpu $3: this machine has CPUs 0 to $(($(nproc) - 1))"; exit 2
  fi
  # Under multi-threaded TCG, code one vCPU's JIT installs may not be seen at once by another
  # vCPU: every thread of a JVM on one vCPU keeps its compiled code coherent.
  jublk_cmd=(taskset -c "$3" "${jublk_cmd[@]}")
}

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

jit_ticks() {  # jit_ticks PID: CPU time (1/100 s) the JIT compiler threads of JVM PID have used so far
  local t n=0 c used
  for t in /proc/"$1"/task/*; do
    c=$(cat "$t/comm" 2>/dev/null) || continue
    case $c in
      C1\ Compiler* | C2\ Compiler*)
        # stat after "(comm) ": field 12 is utime, 13 stime; comm itself may hold spaces.
        used=$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || used=0
        n=$((n + ${used:-0})) ;;
    esac
  done
  echo "$n"
}

measure() {  # measure SERVER PID DEV BS RW QD SECONDS RAMP JSON RESULTS: one measured fio run
  # Prints its RESULT line and appends it to RESULTS; for a JVM (PID given) the log says how long
  # its JIT compiled during the run, which would make that run's figures suspect.
  local server=$1 pid=$2 dev=$3 bs=$4 rw=$5 qd=$6 jit='' line iops mbps mean p99
  [ -z "$pid" ] || jit=$(jit_ticks "$pid")
  fio_run "$dev" "$rw" "$bs" "$qd" "$7" "$8" "$9"
  [ -z "$jit" ] || jit=", JIT compiling $((($(jit_ticks "$pid") - jit) * 10)) ms"
  line=$(result_line "$server" "$bs" "$rw" "$qd" "$9")
  echo "$line" >>"${10}"
  echo "$line"
  read -r _ _ _ _ _ iops mbps mean p99 <<<"$line"
  log "$server $bs $rw iodepth $qd: $iops IOPS, $mbps MB/s, mean $mean us, p99 $p99 us$jit"
}

warm_up() {  # warm_up DEV PID SECONDS ROW_SECONDS SETTLE_SECONDS WORK_DIR SEQ_DEPTH WORKLOAD...
  # A mix of every request size for SECONDS, then rounds of each measured row for ROW_SECONDS.
  # C2 compiles a Java server's hot path for the mix, and again for a row whose profile differs (a
  # pure read, a lone request); under TCG one compile takes seconds, and one mid-measurement costs
  # that run a third of its IOPS. So for a JVM (PID given) the row rounds repeat until its compiler
  # threads used under 1% of a round, for at most SETTLE_SECONDS more; a kernel device (PID empty)
  # gets one round.
  local dev=$1 pid=$2 secs=$3 row_secs=$4 settle=$5 dir=$6 seq_depth=$7 w bs rw qd
  local round=0 start before used round_secs t0
  shift 7
  fio_run "$dev" randrw 4k 32 "$secs" 0 "$dir/warmup.json" --bssplit=4k/50:64k/25:1m/25
  [ "$row_secs" -gt 0 ] || return 0
  start=$SECONDS
  while :; do
    round=$((round + 1)) t0=$SECONDS
    [ -z "$pid" ] || before=$(jit_ticks "$pid")
    for w in "$@"; do
      IFS=: read -r bs rw qd <<<"$w"
      [ "$qd" = seq ] && qd=$seq_depth
      fio_run "$dev" "$rw" "$bs" "$qd" "$row_secs" 0 "$dir/warmup.json"
    done
    [ -n "$pid" ] || return 0
    used=$(($(jit_ticks "$pid") - before)) round_secs=$((SECONDS - t0))
    if [ "$used" -le "$round_secs" ]; then
      log "  JIT settled: round $round of the rows took ${round_secs}s, compiling $((used * 10)) ms"
      return 0
    fi
    if [ $((SECONDS - start)) -ge "$settle" ]; then
      log "  JIT still compiling after $((SECONDS - start))s of row rounds ($((used * 10)) ms in round $round); measuring anyway"
      return 0
    fi
  done
}

# ---- jublk servers by name (bench-file, bench-nbd): pid_of, id_of and devs are keyed by it ---------
next_id=60
start_jublk() {  # start_jublk NAME ADD-OPTIONS...: a foreground jublk server; sets devs[NAME]
  local name=$1 id slog=$work/$1.log
  shift
  while [ -e /dev/ublkc$next_id ] || [ -e /dev/ublkb$next_id ]; do next_id=$((next_id + 1)); done
  id=$next_id; next_id=$((next_id + 1))
  id_of[$name]=$id
  "${jublk_cmd[@]}" add "$@" -d "$server_depth" -n "$id" --foreground >"$slog" 2>&1 &
  pid_of[$name]=$!
  if ! wait_for 300 "${pid_of[$name]}" grep -q '^serving in process' "$slog"; then
    log "jublk server $name did not come up; its output:"; cat "$slog" >&2; return 1
  fi
  wait_for 30 '' is_block /dev/ublkb$id || { log "/dev/ublkb$id missing"; return 1; }
  devs[$name]=/dev/ublkb$id
  log "$name: $(head -n 1 "$slog")"
}

stop_jublk() {  # stop_jublk SERVER
  local pid=${pid_of[$1]:-} id=${id_of[$1]:-}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # The shutdown hook deletes the device; a JVM under TCG may take a while.
    alive_for 60 "$pid"
    if kill -0 "$pid" 2>/dev/null; then
      log "jublk server $1 ($pid) did not exit after SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  pid_of[$1]=''
  if [ -n "$id" ] && [ -e /dev/ublkc$id ]; then
    log "dev $id still there after its server exited; deleting it"
    "${jublk_cmd[@]}" del -n "$id" >&2 || true
  fi
}

warm_up_and_measure() {  # warm_up_and_measure RESULTS: every server in servers through every workload
  local s w bs rw qd
  for s in "${servers[@]}"; do
    # The kernel's devices get the same warm-up, so that nobody is favoured.
    log "$s: warm-up ${warmup}s on ${devs[$s]}, then ${row_warmup}s of each row, repeated until the JIT settles"
    # shellcheck disable=SC2086
    warm_up "${devs[$s]}" "${pid_of[$s]:-}" "$warmup" "$row_warmup" "$jit_settle" "$work" "$seq_depth" $workloads
  done
  : >"$1"
  log "runtime ${runtime}s + ${ramp}s ramp per run; sequential iodepth $seq_depth"
  for w in $workloads; do
    IFS=: read -r bs rw qd <<<"$w"
    [ "$qd" = seq ] && qd=$seq_depth
    for s in "${servers[@]}"; do
      measure "$s" "${pid_of[$s]:-}" "${devs[$s]}" "$bs" "$rw" "$qd" "$runtime" "$ramp" "$work/$s-$bs-$rw-qd$qd.json" "$1"
    done
  done
}

# The start of the awk program that tables RESULT lines (server bs rw iodepth iops mbps mean_us
# p99_us): one row group per bs, rw, iodepth, in the order they came; ratio() is -1 when unknown.
table_awk_head='
  { key = $3 SUBSEP $4 SUBSEP $5; iops[key, $2] = $6; mbps[key, $2] = $7; mean[key, $2] = $8; p99[key, $2] = $9
    if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  function commas(v,   s) { s = sprintf("%d", v); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
  function ratio(key, s, b) { return (((key, s) in iops) && ((key, b) in iops) && iops[key, b] > 0) ? iops[key, s] / iops[key, b] : -1 }
  function fmt(r) { return r < 0 ? "-" : sprintf("%.2f", r) }
'
