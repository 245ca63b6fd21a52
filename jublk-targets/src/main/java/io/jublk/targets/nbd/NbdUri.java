// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an NBD export lives, parsed from the standard NBD URI form: {@code nbd://host[:port][/export]}
 * for TCP (port 10809 unless given; IPv6 literals in brackets) and
 * {@code nbd+unix:///[export]?socket=PATH} for a Unix domain socket. The export name is the
 * percent-decoded path without its leading slash, so {@code nbd://h} and {@code nbd://h/} both name
 * the default export "". TLS ({@code nbds}, {@code nbds+unix}) and vsock are not supported and are
 * rejected by name. Query parameters other than {@code socket} (for nbd+unix) are rejected, as the
 * URI form asks of clients that do not understand them; so are the TLS ones ({@code tls-*}).
 *
 * @param host       the TCP host (without brackets), or null for a Unix socket
 * @param port       the TCP port, or -1 for a Unix socket
 * @param socketPath the Unix socket, or null for TCP
 * @param exportName the export name, possibly empty
 */
public record NbdUri(String host, int port, Path socketPath, String exportName) {
    /** The IANA-assigned NBD port. */
    public static final int DEFAULT_PORT = 10809;

    public NbdUri {
        Objects.requireNonNull(exportName, "exportName");
        if ((host == null) == (socketPath == null)) {
            throw new IllegalArgumentException("exactly one of host and socketPath must be given");
        }
        if (host != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("port " + port + " is out of range 1..65535");
        }
    }

    /** A TCP location. */
    public static NbdUri tcp(String host, int port, String exportName) {
        return new NbdUri(host, port, null, exportName);
    }

    /** A Unix domain socket location. */
    public static NbdUri unix(Path socketPath, String exportName) {
        return new NbdUri(null, -1, socketPath, exportName);
    }

    /** True when this names a Unix domain socket. */
    public boolean isUnix() {
        return socketPath != null;
    }

    /**
     * Parses an NBD URI.
     *
     * @throws IllegalArgumentException naming the URI and what is wrong with it
     */
    public static NbdUri parse(String text) {
        Objects.requireNonNull(text, "uri");
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad(text, "not a valid URI: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw bad(text, "no scheme; expected nbd:// or nbd+unix://");
        }
        if (uri.isOpaque()) {
            throw bad(text, "expected '" + scheme + "://' followed by an authority and path");
        }
        if (uri.getRawFragment() != null) {
            throw bad(text, "a fragment (#...) is not allowed");
        }
        String export = exportName(uri);
        switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
            case "nbd" -> {
                if (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
                    throw bad(text, "no host; expected nbd://host[:port]/export");
                }
                if (uri.getRawUserInfo() != null) {
                    throw bad(text, "user information is not supported");
                }
                String host = uri.getHost();
                if (host == null) {
                    throw bad(text, "malformed host or port in '" + uri.getRawAuthority() + "'");
                }
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                checkQuery(text, uri.getRawQuery(), null);
                int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
                if (port < 1 || port > 65535) {
                    throw bad(text, "port " + port + " is out of range 1..65535");
                }
                return tcp(host, port, export);
            }
            case "nbd+unix" -> {
                if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                    throw bad(text, "a Unix socket URI has no host; expected nbd+unix:///export?socket=PATH");
                }
                checkQuery(text, uri.getRawQuery(), "socket");
                String socket = queryParameter(text, uri.getRawQuery(), "socket");
                if (socket == null || socket.isEmpty()) {
                    throw bad(text, "missing socket=PATH query parameter");
                }
                if (socket.charAt(0) == '\0') {
                    throw bad(text, "abstract-namespace sockets are not supported");
                }
                try {
                    return unix(Path.of(socket), export);
                } catch (java.nio.file.InvalidPathException e) {
                    throw bad(text, "invalid socket path: " + e.getMessage());
                }
            }
            case "nbds", "nbds+unix" -> throw bad(text, "TLS (" + scheme + ") is not supported");
            case "nbd+vsock", "nbds+vsock" -> throw bad(text, "vsock (" + scheme + ") is not supported");
            default -> throw bad(text, "unknown scheme '" + scheme + "'; expected nbd or nbd+unix");
        }
    }

    private static String exportName(URI uri) {
        String path = uri.getPath(); // already percent-decoded
        if (path == null || path.isEmpty()) {
            return "";
        }
        return path.substring(1); // a hierarchical URI with an authority has a path starting with '/'
    }

    private static String queryParameter(String text, String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        String found = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                if (found != null) {
                    throw bad(text, "query parameter '" + name + "' given more than once");
                }
                found = eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return found;
    }

    /** Rejects every query parameter but {@code allowed} (which may be null). */
    private static void checkQuery(String text, String rawQuery, String allowed) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(allowed)) {
                continue;
            }
            if (key.startsWith("tls")) {
                throw bad(text, "TLS query parameter '" + key + "' given, but TLS is not supported");
            }
            throw bad(text, "unknown query parameter '" + key + "'"
                    + (allowed == null ? "" : "; only '" + allowed + "' is understood"));
        }
    }

    private static String decode(String s) {
        // Percent-decoding only: '+' is a literal plus in a URI query, unlike in HTML forms.
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid NBD URI '" + text + "': " + why);
    }

    /** The URI form of this location. */
    @Override
    public String toString() {
        String path = "/" + exportName;
        if (isUnix()) {
            return "nbd+unix://" + path + "?socket=" + socketPath;
        }
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "nbd://" + h + (port == DEFAULT_PORT ? "" : ":" + port) + path;
    }
}
