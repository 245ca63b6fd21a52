// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

/** Shutdown hooks that clean up after a command interrupted by a signal. */
final class ShutdownHooks {
    private ShutdownHooks() {
    }

    /**
     * Registers a hook.
     *
     * @param name the hook thread's name
     * @param cleanup what it does
     * @return the hook, for {@link #remove}
     */
    static Thread add(String name, Runnable cleanup) {
        Thread hook = new Thread(cleanup, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /**
     * Unregisters a hook once its work is done or no longer needed.
     *
     * @param hook the hook
     */
    static void remove(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // The JVM is shutting down: the hook runs (or ran) anyway.
        }
    }
}
