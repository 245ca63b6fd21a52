// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line of the VM harness.
 *
 * <pre>
 * run [--suite sid] [--memory 4G] [--cpus 2] [--timeout SECONDS] [--cwd DIR]
 *     [--env NAME | --env NAME=VALUE | --env PREFIX*]... [--modprobe MODULE]...
 *     [--no-stdin] [--fork] [-v|--verbose] -- COMMAND ARGS...
 * </pre>
 *
 * Runs COMMAND as root with bash in a QEMU guest booting SUITE's current Debian kernel, with
 * ublk_drv loaded, the host's / visible read-only under a writable overlay and the same working
 * directory; its stdout/stdin are ours, its stderr our stderr; exits with its exit status
 * (124: timed out, 125: the guest reported no status, 2: usage).
 *
 * <p>The guest environment is PATH, HOME, JAVA_HOME, LANG (from ours), JUBLK_IN_VM=1, and what
 * --env and JUBLK_VM_ENV (space-separated NAME, NAME=VALUE or PREFIX* items) ask for.
 * Defaults come from JUBLK_VM_SUITE, JUBLK_VM_MEMORY, JUBLK_VM_CPUS, JUBLK_VM_TIMEOUT and
 * JUBLK_VM_VERBOSE=1; JUBLK_VM_DISK names a raw image file the guest sees as {@code /dev/vda}. {@code --fork} is the mode of the test-JVM launcher: when our stdin ends
 * (the parent died), the VM is stopped 30 s later.
 */
public final class VmMain {
    static final String USAGE = """
            usage: jublk-vm run [--suite sid|trixie|trixie-backports] [--memory 4G] [--cpus 2]
                                [--timeout SECONDS] [--cwd DIR] [--env NAME[=VALUE]|PREFIX*]...
                                [--modprobe MODULE]... [--no-stdin] [--fork] [-v] -- COMMAND ARGS...
            """;

    private VmMain() {
    }

    public static void main(String[] args) {
        int rc;
        try {
            VmConfig config = parse(List.of(args), System.getenv(), Path.of("").toAbsolutePath(),
                    System.getProperty("java.home"));
            rc = new VmRunner(config).run();
        } catch (UsageException e) {
            System.err.print("jublk-vm: " + e.getMessage() + "\n" + USAGE);
            rc = 2;
        } catch (VmException e) {
            System.err.println("jublk-vm: " + e.getMessage());
            rc = VmRunner.NO_STATUS;
        } catch (Exception e) {
            System.err.println("jublk-vm: " + e);
            e.printStackTrace();
            rc = VmRunner.NO_STATUS;
        }
        System.exit(rc);
    }

    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Parses the command line against our environment {@code env}; pure, for tests. */
    static VmConfig parse(List<String> args, Map<String, String> env, Path cwd, String javaHome) {
        if (args.isEmpty() || !args.getFirst().equals("run")) {
            throw new UsageException(args.isEmpty() ? "missing command" : "unknown command " + args.getFirst());
        }
        String suite = env.getOrDefault("JUBLK_VM_SUITE", "sid");
        String memory = env.getOrDefault("JUBLK_VM_MEMORY", "4G");
        int cpus = parseInt("JUBLK_VM_CPUS", env.getOrDefault("JUBLK_VM_CPUS", "2"));
        long timeout = parseInt("JUBLK_VM_TIMEOUT", env.getOrDefault("JUBLK_VM_TIMEOUT", "600"));
        boolean verbose = "1".equals(env.get("JUBLK_VM_VERBOSE"));
        boolean fork = false;
        boolean stdin = true;
        Path dir = cwd;
        List<String> envItems = new ArrayList<>();
        String extra = env.get("JUBLK_VM_ENV");
        if (extra != null && !extra.isBlank()) {
            envItems.addAll(List.of(extra.trim().split("\\s+")));
        }
        List<String> modprobe = new ArrayList<>();
        int i = 1;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            switch (a) {
                case "--suite" -> suite = value(args, ++i, a);
                case "--memory" -> memory = value(args, ++i, a);
                case "--cpus" -> cpus = parseInt(a, value(args, ++i, a));
                case "--timeout" -> timeout = parseInt(a, value(args, ++i, a));
                case "--cwd" -> dir = cwd.resolve(value(args, ++i, a)).normalize();
                case "--env" -> envItems.add(value(args, ++i, a));
                case "--modprobe" -> modprobe.add(value(args, ++i, a));
                case "--no-stdin" -> stdin = false;
                case "--fork" -> fork = true;
                case "-v", "--verbose" -> verbose = true;
                default -> throw new UsageException("unknown option " + a);
            }
        }
        List<String> command = List.copyOf(args.subList(Math.min(i, args.size()), args.size()));
        if (command.isEmpty()) {
            throw new UsageException("missing COMMAND after --");
        }
        if (!suite.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new UsageException("bad suite " + suite);
        }
        if (cpus < 1 || timeout < 1) {
            throw new UsageException("--cpus and --timeout must be positive");
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException("no directory " + dir);
        }
        return new VmConfig(suite, memory, cpus, Duration.ofSeconds(timeout), dir,
                guestEnv(env, javaHome, envItems), command, List.copyOf(modprobe), stdin,
                fork ? Duration.ofSeconds(30) : null, verbose);
    }

    /** The command's environment in the guest. */
    static Map<String, String> guestEnv(Map<String, String> env, String javaHome, List<String> items) {
        Map<String, String> g = new LinkedHashMap<>();
        g.put("PATH", env.getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        g.put("HOME", env.getOrDefault("HOME", System.getProperty("user.home")));
        g.put("JAVA_HOME", env.getOrDefault("JAVA_HOME", javaHome));
        g.put("LANG", env.getOrDefault("LANG", "C.UTF-8"));
        g.put("JUBLK_IN_VM", "1");
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                g.put(checkName(item.substring(0, eq)), item.substring(eq + 1));
            } else if (item.endsWith("*")) {
                String prefix = item.substring(0, item.length() - 1);
                env.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(prefix))
                        .sorted(Map.Entry.comparingByKey())
                        .forEach(e -> g.put(e.getKey(), e.getValue()));
            } else if (env.containsKey(checkName(item))) {
                g.put(item, env.get(item));
            }
        }
        return g;
    }

    private static String checkName(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new UsageException("bad environment variable name " + name);
        }
        return name;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int parseInt(String what, String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(what + ": not a number: " + s);
        }
    }
}
