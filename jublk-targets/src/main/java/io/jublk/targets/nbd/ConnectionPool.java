// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The connections of an {@link NbdTarget} to one export, and the thread that brings them back.
 *
 * <p>Link 0 is opened when the pool opens, which fails if it cannot; its size and flags are the
 * export's for the pool's life. With NBD_FLAG_CAN_MULTI_CONN there may be more links (one per
 * queue, say); without it, one. {@link #route(int)} picks the link for a queue, falling back to any
 * other that is up, and returns null when none is: the caller fails the request at once. A lost
 * connection fails what it has in flight (with EIO, through the completion listener) and is
 * reopened by a background thread with exponential backoff. A reopened connection must show the
 * same export: an export that changed size, or shrank its limits below what the device relies on,
 * is refused (and logged) and the link stays down.
 *
 * <p>Thread-safe: {@link #route} from any thread; the reconnect thread alone opens and replaces
 * connections.
 */
final class ConnectionPool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.jublk.nbd");

    private final NbdUri uri;
    private final boolean structuredReplies;
    private final Duration openTimeout;
    private final long backoffMinNanos;
    private final long backoffMaxNanos;
    private final NbdConnection.Listener completions;

    private final Object lock = new Object();
    private final Thread reconnector;
    private volatile Link[] links;
    private volatile boolean closed;
    private boolean wakeRequested; // guarded by lock

    /** The export as link 0 first saw it. */
    private final NbdExport export;
    /** The largest READ/WRITE the device sends; a reconnected server must accept it. */
    private volatile long requiredPayload;
    /** The device's logical block size; a reconnected server's minimum must divide it. */
    private volatile int logicalBlockSize;

    /** One connection slot: its current connection (null while down) and its reconnect state. */
    private final class Link implements NbdConnection.Listener {
        final int index;
        volatile NbdConnection conn;
        // Reconnect thread only:
        final Backoff backoff = new Backoff(backoffMinNanos, backoffMaxNanos);
        long dueNanos;
        long downSinceNanos;
        int attempts;
        String lastProblem;

        Link(int index) {
            this.index = index;
        }

        /** The connection when it is open, else null. */
        NbdConnection openConnection() {
            NbdConnection c = conn;
            return c != null && c.isOpen() ? c : null;
        }

        @Override
        public void completed(long handle, int error, MemorySegment data) {
            completions.completed(handle, error, data);
        }

        @Override
        public void failed(IOException cause) {
            if (!closed) {
                NbdEvents.disconnected(uri, index, cause);
                log(WARNING, index, "lost (" + cause.getMessage() + "); its requests fail with EIO; reconnecting in the background");
            }
            wake();
        }
    }

    /**
     * Opens link 0 (and, when the server allows several connections, links up to
     * {@code connections}) and starts the reconnect thread.
     *
     * @param connections the links wanted, at least 1; more than one only with CAN_MULTI_CONN
     * @param completions receives every request's completion, on the connections' reader threads
     * @throws IOException when link 0 cannot be opened
     */
    static ConnectionPool open(NbdUri uri, int connections, boolean structuredReplies, Duration openTimeout,
                               Duration backoffMin, Duration backoffMax, NbdConnection.Listener completions) throws IOException {
        Objects.requireNonNull(uri, "uri");
        if (connections < 1) {
            throw new IllegalArgumentException("connections " + connections + " must be at least 1");
        }
        ConnectionPool pool = new ConnectionPool(uri, structuredReplies, openTimeout, backoffMin, backoffMax,
                completions);
        return pool.openLinks(connections);
    }

    private ConnectionPool(NbdUri uri, boolean structuredReplies, Duration openTimeout, Duration backoffMin,
                           Duration backoffMax, NbdConnection.Listener completions)
            throws IOException {
        this.uri = uri;
        this.structuredReplies = structuredReplies;
        this.openTimeout = Objects.requireNonNull(openTimeout, "openTimeout");
        this.backoffMinNanos = backoffMin.toNanos();
        this.backoffMaxNanos = backoffMax.toNanos();
        new Backoff(backoffMinNanos, backoffMaxNanos); // validates before anything is opened
        this.completions = Objects.requireNonNull(completions, "completions");
        Link first = new Link(0);
        NbdConnection c = NbdConnection.open(uri, structuredReplies, openTimeout, first);
        first.conn = c;
        NbdEvents.connected(uri, 0);
        log(DEBUG, 0, "connected, the export has " + c.size() + " bytes");
        this.links = new Link[] {first};
        this.export = c.export();
        this.logicalBlockSize = Math.max(512, export.minBlockSize());
        this.reconnector = Thread.ofPlatform().daemon().name("nbd-reconnect-" + uri).unstarted(this::reconnectLoop);
    }

    private ConnectionPool openLinks(int connections) throws IOException {
        try {
            if (connections > 1 && !canMultiConn()) {
                log(INFO, 0, "the server does not advertise multi-conn, so one connection serves every queue");
            } else if (connections > 1) {
                Link[] all = Arrays.copyOf(links, connections);
                for (int i = 1; i < connections; i++) {
                    all[i] = new Link(i);
                    all[i].conn = NbdConnection.open(uri, structuredReplies, openTimeout, all[i]);
                    NbdEvents.connected(uri, i);
                    log(DEBUG, i, "connected");
                    links = all; // so close() below sees what is open so far
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        reconnector.start();
        return this;
    }

    /** @return the export as first negotiated, which reconnected servers must still match */
    NbdExport export() {
        return export;
    }

    boolean canMultiConn() {
        return export.has(NbdConnection.FLAG_CAN_MULTI_CONN);
    }

    /** @return the links there are (up or down) */
    int linkCount() {
        return links.length;
    }

    /** @return the links whose connection is open now */
    int linksUp() {
        int up = 0;
        for (Link link : links) {
            if (link.openConnection() != null) {
                up++;
            }
        }
        return up;
    }

    /**
     * Records what the device relies on, which a reconnected server must still offer.
     *
     * @param logicalBlockSize the device's logical block size
     * @param payload the device's largest request
     */
    void require(int logicalBlockSize, long payload) {
        this.logicalBlockSize = logicalBlockSize;
        this.requiredPayload = payload;
    }

    /**
     * Grows the pool to {@code count} links when the server allows several connections; the new
     * links are connected in the background, and requests meanwhile go to the links that are up.
     *
     * @param count the links wanted
     */
    void growTo(int count) {
        if (!canMultiConn() || closed) {
            return;
        }
        synchronized (lock) {
            Link[] current = links;
            if (count <= current.length) {
                return;
            }
            Link[] grown = Arrays.copyOf(current, count);
            long now = System.nanoTime();
            for (int i = current.length; i < count; i++) {
                grown[i] = new Link(i);
                grown[i].dueNanos = now;
            }
            links = grown;
            wakeRequested = true;
            lock.notifyAll();
        }
    }

    /**
     * The connection for a queue's request: its own link's (queue modulo links) when up, else any
     * link's that is up; never waits.
     *
     * @param queue the queue id
     * @return an open connection, or null when every link is down
     */
    NbdConnection route(int queue) {
        Link[] all = links;
        NbdConnection c = all[queue % all.length].openConnection();
        if (c != null) {
            return c;
        }
        for (Link link : all) {
            c = link.openConnection();
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    // ---- reconnecting ---------------------------------------------------------------------------

    private void wake() {
        synchronized (lock) {
            wakeRequested = true;
            lock.notifyAll();
        }
    }

    private void reconnectLoop() {
        while (!closed) {
            long now = System.nanoTime();
            long sleepNanos = Long.MAX_VALUE;
            for (Link link : links) {
                if (closed) {
                    return;
                }
                NbdConnection c = link.conn;
                if (c != null && c.isOpen()) {
                    continue;
                }
                if (c != null) {
                    // Lost since the last look: release it, then try again after the first backoff.
                    link.conn = null;
                    closeQuietly(c);
                    link.downSinceNanos = now;
                    link.attempts = 0;
                    link.lastProblem = null;
                    link.backoff.reset();
                    link.dueNanos = now + link.backoff.next();
                }
                if (now - link.dueNanos >= 0) {
                    attempt(link);
                    now = System.nanoTime();
                }
                if (link.conn == null) {
                    sleepNanos = Math.min(sleepNanos, Math.max(0, link.dueNanos - now));
                }
            }
            synchronized (lock) {
                if (!wakeRequested && !closed && sleepNanos > 0) {
                    try {
                        if (sleepNanos == Long.MAX_VALUE) {
                            lock.wait();
                        } else {
                            TimeUnit.NANOSECONDS.timedWait(lock, sleepNanos);
                        }
                    } catch (InterruptedException e) {
                        return; // close() interrupts
                    }
                }
                wakeRequested = false;
            }
        }
    }

    private void attempt(Link link) {
        link.attempts++;
        NbdConnection c;
        try {
            c = NbdConnection.open(uri, structuredReplies, openTimeout, link);
        } catch (IOException | RuntimeException e) {
            retryLater(link, "reconnecting failed: " + e.getMessage());
            return;
        }
        String problem = incompatibility(c, link.index);
        if (problem != null) {
            closeQuietly(c);
            retryLater(link, "refusing the reconnected export: " + problem);
            return;
        }
        synchronized (lock) {
            if (closed) {
                closeQuietly(c);
                return;
            }
            link.conn = c;
        }
        link.backoff.reset();
        if (link.downSinceNanos == 0) {
            NbdEvents.connected(uri, link.index);
        } else {
            NbdEvents.reconnected(uri, link.index, link.attempts, System.nanoTime() - link.downSinceNanos);
            log(INFO, link.index, "reconnected after " + link.attempts + (link.attempts == 1 ? " attempt, " : " attempts, ")
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - link.downSinceNanos) + " ms down");
        }
        link.downSinceNanos = 0;
        link.lastProblem = null;
    }

    private void retryLater(Link link, String problem) {
        long wait = link.backoff.next();
        link.dueNanos = System.nanoTime() + wait;
        if (!problem.equals(link.lastProblem)) {
            // Once per kind of problem, not once per attempt.
            link.lastProblem = problem;
            log(WARNING, link.index, problem + "; retrying with backoff up to "
                    + TimeUnit.NANOSECONDS.toMillis(backoffMaxNanos) + " ms");
        }
    }

    /** Why a newly opened connection cannot serve this device, or null when it can. */
    private String incompatibility(NbdConnection c, int index) {
        if (c.size() != export.size()) {
            return "the export's size changed from " + export.size() + " to " + c.size()
                    + " bytes; the device keeps failing requests with EIO (delete it and add it again to use the new size)";
        }
        if (logicalBlockSize % c.minBlockSize() != 0) {
            return "the server's minimum block size is now " + c.minBlockSize() + ", which does not divide the device's "
                    + logicalBlockSize + "-byte blocks";
        }
        if (c.maxBlockSize() < requiredPayload) {
            return "the server's largest request is now " + c.maxBlockSize() + " bytes, below the device's "
                    + requiredPayload;
        }
        if (links.length > 1 && !c.canMultiConn()) {
            return "the server no longer advertises multi-conn, which serving through " + links.length
                    + " connections needs";
        }
        if (!c.isReadOnly() || export.has(NbdConnection.FLAG_READ_ONLY)) {
            return null;
        }
        return "the export is read-only now, and the device is writable";
    }

    private void log(System.Logger.Level level, int link, String what) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, "nbd " + uri + " connection " + link + ": " + what);
        }
    }

    private static void closeQuietly(NbdConnection c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // being dropped anyway
        }
    }

    /**
     * Stops the reconnect thread and closes every connection; what is still in flight completes
     * with EIO. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        if (reconnector.isAlive()) {
            reconnector.interrupt(); // also aborts an open in progress
            try {
                reconnector.join(openTimeout.toMillis() + 5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Link link : links) {
            NbdConnection c = link.conn;
            if (c != null) {
                closeQuietly(c);
            }
        }
        if (LOG.isLoggable(DEBUG)) {
            LOG.log(DEBUG, "nbd " + uri + ": disconnected " + links.length + " connection(s)");
        }
    }

    @Override
    public String toString() {
        return "nbd " + uri + " (" + linksUp() + " of " + links.length + " connections up)";
    }
}
