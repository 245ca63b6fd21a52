// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The NBD connections' ups and downs as JFR events; built only when a recording wants them. */
final class NbdEvents {
    private NbdEvents() {
    }

    /** What every connection event carries. */
    @Category({"jublk", "NBD"})
    @StackTrace(false)
    abstract static class LinkEvent extends Event {
        @Label("Server")
        String server;
        @Label("Connection")
        int connection;
    }

    @Name("io.jublk.NbdConnected")
    @Label("NBD Connected")
    @Description("A connection to the NBD server was opened and negotiated")
    static final class Connected extends LinkEvent {
    }

    @Name("io.jublk.NbdDisconnected")
    @Label("NBD Disconnected")
    @Description("A connection to the NBD server was lost; its requests failed with EIO")
    static final class Disconnected extends LinkEvent {
        @Label("Cause")
        String cause;
    }

    @Name("io.jublk.NbdReconnected")
    @Label("NBD Reconnected")
    @Description("A lost connection to the NBD server is back")
    static final class Reconnected extends LinkEvent {
        @Label("Attempts")
        int attempts;
        @Label("Down For")
        @Timespan(Timespan.NANOSECONDS)
        long downNanos;
    }

    static void connected(NbdUri server, int connection) {
        Connected e = new Connected();
        if (e.shouldCommit()) {
            e.server = server.toString();
            e.connection = connection;
            e.commit();
        }
    }

    static void disconnected(NbdUri server, int connection, Throwable cause) {
        Disconnected e = new Disconnected();
        if (e.shouldCommit()) {
            e.server = server.toString();
            e.connection = connection;
            e.cause = String.valueOf(cause);
            e.commit();
        }
    }

    static void reconnected(NbdUri server, int connection, int attempts, long downNanos) {
        Reconnected e = new Reconnected();
        if (e.shouldCommit()) {
            e.server = server.toString();
            e.connection = connection;
            e.attempts = attempts;
            e.downNanos = downNanos;
            e.commit();
        }
    }
}
