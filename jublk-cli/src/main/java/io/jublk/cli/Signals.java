// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT and SIGTERM for a serving process: the first stops and deletes its devices (a service
 * only lets go of them) in order (the JVM's shutdown hooks), a second one ends the process at
 * once, for a shutdown that hangs (a target that never answers, say). The kernel then stops the devices itself; {@code jublk del}
 * removes what is left.
 *
 * <p>The JVM has no public API for a second signal during shutdown, so this uses
 * {@code sun.misc.Signal} (module jdk.unsupported), reached reflectively so the build stays free of
 * its compile-time warning. Where it is missing, the JVM's default handling stays: one signal, an
 * orderly shutdown.
 */
final class Signals {
    private static final AtomicInteger RECEIVED = new AtomicInteger();

    private Signals() {
    }

    /**
     * Installs the handlers; idempotent per process.
     *
     * @param what the devices being served, for the messages ("dev 3")
     * @param action what the first signal does to them ("stopping and deleting")
     * @param afterwards what becomes of them, appended to the message ("; it waits for the next server"), or ""
     * @param err where to say what happens
     * @return whether the handlers are installed
     */
    static boolean install(String what, String action, String afterwards, PrintStream err) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            String name = (String) signal.getMethod("getName").invoke(args[0]);
                            onSignal(name, what, action, afterwards, err);
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "jublk signal handler";
                        };
                    });
            var handle = signal.getMethod("handle", signal, handlerType);
            for (String name : new String[] {"INT", "TERM"}) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void onSignal(String name, String what, String action, String afterwards, PrintStream err) {
        int status = 128 + (name.equals("INT") ? 2 : 15);
        if (RECEIVED.incrementAndGet() == 1) {
            err.println("jublk: SIG" + name + ": " + action + " " + what + afterwards + " (signal again to exit at once)");
            err.flush();
            // Not on the signal thread: exit runs the shutdown hooks and waits for them.
            Thread.ofPlatform().name("jublk-exit").start(() -> System.exit(status));
        } else {
            err.println("jublk: SIG" + name + " again: exiting now; the kernel stops " + what
                    + ", and 'jublk del' removes what is left");
            err.flush();
            Runtime.getRuntime().halt(status);
        }
    }
}
