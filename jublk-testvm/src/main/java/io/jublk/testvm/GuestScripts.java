// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Texts of the two scripts the guest runs.
 *
 * <p>Stage 1, {@code /init} in the initramfs (busybox sh): loads the 9p/overlay modules, mounts
 * the host's {@code /} read-only over virtio-9p under a tmpfs overlay, mounts the run's
 * read-write share at {@value #SHARE}, and switch_roots into stage 2.
 *
 * It also mounts tmpfs /tmp, /dev/shm, devpts, cgroup2, debugfs, bind-mounts the kernel's
 * modules at /lib/modules/KV and links /dev/virtio-ports/NAME (busybox is much faster to start
 * than anything read over 9p, so as much as possible happens here).
 *
 * <p>Stage 2, {@code job.sh} on the share (bash, from the host's root, as PID 1): loads extra
 * modules, runs the command with stdin/stdout on the {@value #STDIO_PORT} virtio port and
 * stderr on {@value #STDERR_PORT}, writes its exit status to the share and powers off.
 */
final class GuestScripts {
    static final String ROOT_TAG = "jublkroot";
    static final String SHARE_TAG = "jublkshare";
    static final String SHARE = "/run/jublk-vm";
    static final String STDIO_PORT = "jublk.stdio";
    static final String STDERR_PORT = "jublk.stderr";
    static final String STATUS_FILE = "status";
    static final String JOB_FILE = "job.sh";
    /** Written by stage 2 (guest uptime in seconds when the job starts). */
    static final String UPTIME_FILE = "job-start-uptime";
    /** Written by the host: the kernel's module directory, which stage 1 binds at /lib/modules/KV. */
    static final String MODULES_DIR_FILE = "modules-dir";
    /** Share file listing host directories under /tmp that the guest must still see. */
    static final String KEEP_PATHS_FILE = "keep-paths";

    /**
     * The guest mounts a fresh tmpfs on /tmp; a working directory or repository there (a
     * fresh clone in /tmp, say) would vanish. Returns, for each such path, its top directory
     * (/tmp/X), which the guest binds back from the overlay root.
     */
    static List<String> pathsToKeep(List<java.nio.file.Path> paths) {
        java.util.LinkedHashSet<String> keep = new java.util.LinkedHashSet<>();
        for (java.nio.file.Path p : paths) {
            java.nio.file.Path abs = p.toAbsolutePath().normalize();
            if (abs.getNameCount() >= 2 && abs.startsWith("/tmp")) {
                keep.add("/" + abs.subpath(0, 2));
            }
        }
        return new ArrayList<>(keep);
    }

    private static final String NINEP_OPTS = "trans=virtio,version=9p2000.L,msize=524288";

    private GuestScripts() {
    }

    /** Stage 1; {@code modules} are file names under /modules, in load order. */
    static String init(List<String> modules) {
        StringBuilder s = new StringBuilder();
        s.append("""
                #!/bin/busybox sh
                # jublk-vm stage 1 (initramfs, busybox): host / over 9p under a tmpfs overlay, the
                # usual kernel file systems, then stage 2 (bash, from the share) as PID 1.
                /bin/busybox --install -s /bin
                export PATH=/bin
                fail() {
                  echo "jublk-vm init: $*" >/dev/console
                  echo o >/proc/sysrq-trigger
                  sleep 60
                }
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                # Progress on the console (its tail is shown when a run fails): uptime and step.
                mark() {
                  echo "jublk-vm init: $(cat /proc/uptime /mnt/root/proc/uptime 2>/dev/null) $*" >/dev/console
                }
                mark modules
                """);
        for (String module : modules) {
            s.append("insmod /modules/").append(module).append(" || fail 'insmod ").append(module)
                    .append(" failed'\n");
        }
        s.append("mkdir -p /mnt/lower /mnt/rw /mnt/root\n");
        s.append("mount -t 9p -o ro,").append(NINEP_OPTS).append(",cache=loose ").append(ROOT_TAG)
                .append(" /mnt/lower || fail 'cannot mount the host root'\n");
        s.append("""
                mount -t tmpfs -o mode=0755 tmpfs /mnt/rw
                mkdir /mnt/rw/upper /mnt/rw/work
                mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work overlay /mnt/root \\
                  || fail 'cannot mount the overlay root'
                r=/mnt/root
                mark root mounted
                mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $r/run
                """);
        s.append("share=$r").append(SHARE).append('\n');
        s.append("mkdir -p $share\n");
        s.append("mount -t 9p -o ").append(NINEP_OPTS).append(",cache=none ").append(SHARE_TAG)
                .append(" $share || fail 'cannot mount the job share'\n");
        s.append("""
                for fs in proc sys dev; do mount --move /$fs $r/$fs || fail "cannot move /$fs"; done
                # Host directories under /tmp the job needs (a clone in /tmp): hold them aside
                # while a fresh tmpfs goes on /tmp, then put them back.
                keep=$(cat $share/%s 2>/dev/null)
                n=0
                for p in $keep; do
                  mkdir -p /mnt/keep$n && mount --bind "$r$p" /mnt/keep$n || echo "jublk-vm init: cannot keep $p" >/dev/console
                  n=$((n + 1))
                done
                mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $r/tmp
                mkdir -p $r/dev/shm $r/dev/pts $r/dev/mqueue $r/dev/virtio-ports
                n=0
                for p in $keep; do
                  mkdir -p "$r$p" && mount --move /mnt/keep$n "$r$p" || echo "jublk-vm init: cannot restore $p" >/dev/console
                  n=$((n + 1))
                done
                mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $r/dev/shm
                mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $r/dev/pts
                mount -t cgroup2 -o nsdelegate cgroup2 $r/sys/fs/cgroup 2>/dev/null || echo 'jublk-vm init: no cgroup2' >/dev/console
                mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null
                ln -sfn /proc/self/fd $r/dev/fd
                ln -sfn /proc/self/fd/0 $r/dev/stdin
                ln -sfn /proc/self/fd/1 $r/dev/stdout
                ln -sfn /proc/self/fd/2 $r/dev/stderr
                # Port names arrive from the host asynchronously: wait (5 s at most) for ours.
                i=0
                while :; do
                  for p in $r/sys/class/virtio-ports/*; do
                    n=$(cat "$p/name" 2>/dev/null) && [ -n "$n" ] && ln -sfn "../${p##*/}" "$r/dev/virtio-ports/$n"
                  done
                  [ -e $r/dev/virtio-ports/%s ] && [ -e $r/dev/virtio-ports/%s ] && break
                  i=$((i + 1)); [ $i -lt 100 ] || break
                  sleep 0.05
                done
                mark ports found
                kv=$(uname -r)
                """.formatted(KEEP_PATHS_FILE, STDIO_PORT, STDERR_PORT));
        s.append("if read -r moddir <$share/").append(MODULES_DIR_FILE).append("; then\n");
        s.append("""
                  mkdir -p "$r/lib/modules/$kv" && mount --bind "$r$moddir" "$r/lib/modules/$kv" \\
                    || echo 'jublk-vm init: cannot bind the kernel modules' >/dev/console
                fi
                hostname jublk-vm
                ip link set lo up
                [ -x $r/bin/bash ] || fail 'the host has no /bin/bash'
                mark switch_root
                """);
        s.append("exec switch_root $r /bin/bash ").append(SHARE).append('/').append(JOB_FILE).append('\n');
        s.append("fail 'switch_root failed'\n");
        return s.toString();
    }

    /** What stage 2 runs. */
    record Job(String cwd, Map<String, String> env, List<String> command, List<String> modprobe,
               boolean trace) {
    }

    /** Stage 2 (bash). Everything host-provided is single-quoted. */
    static String job(Job job) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# jublk-vm stage 2: runs as PID 1 on the overlay root.\n");
        s.append("export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        s.append("share=").append(quote(SHARE)).append('\n');
        if (job.trace()) {
            s.append("exec 9>/dev/console; BASH_XTRACEFD=9; PS4='+ $(</proc/uptime) '; set -x\n");
        }
        s.append("""
                note() { echo "jublk-vm: $*" >/dev/console; }
                finish() {
                  echo "$1" >"$share/status"
                  busybox poweroff -f
                  echo o >/proc/sysrq-trigger
                  while :; do read -r -t 1 _ </dev/console; done
                }
                """);
        for (String module : job.modprobe()) {
            s.append("modprobe ").append(quote(module)).append(" || note ")
                    .append(quote("modprobe " + module + " failed")).append('\n');
        }
        s.append("exec 3<>/dev/virtio-ports/").append(STDIO_PORT)
                .append(" || { note 'no stdio port'; finish 125; }\n");
        s.append("exec 4>/dev/virtio-ports/").append(STDERR_PORT)
                .append(" || { note 'no stderr port'; finish 125; }\n");
        s.append("read -r up _ </proc/uptime; echo \"$up\" >\"$share/").append(UPTIME_FILE).append("\"\n");
        s.append("cd ").append(quote(job.cwd()))
                .append(" || { echo 'jublk-vm: no directory '").append(quote(job.cwd()))
                .append(" >&4; finish 126; }\n");
        s.append("note \"$up job started\"\n");
        s.append("env -i --");
        for (Map.Entry<String, String> e : job.env().entrySet()) {
            s.append(" \\\n  ").append(quote(e.getKey() + "=" + e.getValue()));
        }
        s.append(" \\\n ");
        for (String arg : job.command()) {
            s.append(' ').append(quote(arg));
        }
        // stdin through a pipe fed by cat: the port is a character device without FIONREAD, on
        // which e.g. Java's FileInputStream.available() fails ("Illegal seek").
        s.append(" \\\n  < <(exec cat <&3) >&3 2>&4 3>&- 4>&-\n");
        s.append("rc=$?\n");
        s.append("read -r up _ </proc/uptime; note \"$up job ended with status $rc\"\n");
        s.append("exec 3>&- 4>&-\n");
        s.append("finish \"$rc\"\n");
        return s.toString();
    }

    /** Single-quotes {@code s} for sh/bash. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
