// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NbdUriTest {
    @Test
    void shouldParseTcpWithPortAndExport() {
        NbdUri u = NbdUri.parse("nbd://example.com:1234/disk0");
        assertFalse(u.isUnix());
        assertEquals("example.com", u.host());
        assertEquals(1234, u.port());
        assertEquals("disk0", u.exportName());
        assertNull(u.socketPath());
    }

    @Test
    void shouldDefaultPortAndExport() {
        NbdUri u = NbdUri.parse("nbd://localhost");
        assertEquals(NbdUri.DEFAULT_PORT, u.port());
        assertEquals("", u.exportName());
        assertEquals("", NbdUri.parse("nbd://localhost/").exportName());
    }

    @Test
    void shouldParseIpv6LiteralAndDecodeExport() {
        NbdUri u = NbdUri.parse("nbd://[::1]:10810/my%20disk/part");
        assertEquals("::1", u.host());
        assertEquals(10810, u.port());
        assertEquals("my disk/part", u.exportName());
        assertEquals("/abs", NbdUri.parse("nbd://h//abs").exportName());
    }

    @Test
    void shouldParseUnixSocket() {
        NbdUri u = NbdUri.parse("nbd+unix:///export?socket=/run/nbd/a%20b.sock");
        assertTrue(u.isUnix());
        assertEquals(Path.of("/run/nbd/a b.sock"), u.socketPath());
        assertEquals("export", u.exportName());
        assertNull(u.host());
        assertEquals("", NbdUri.parse("nbd+unix://?socket=/tmp/s").exportName());
        assertEquals("", NbdUri.parse("nbd+unix:///?socket=/tmp/s").exportName());
    }

    @Test
    void shouldRoundTripThroughToString() {
        for (String s : new String[] {"nbd://h/e", "nbd://h:99/e", "nbd://[::1]/e", "nbd+unix:///e?socket=/tmp/s"}) {
            assertEquals(NbdUri.parse(s), NbdUri.parse(NbdUri.parse(s).toString()), s);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://host/x | unknown scheme 'http'",
        "host/x | no scheme",
        "nbd:host | authority and path",
        "nbd:///x | no host",
        "nbd://host:notaport/x | malformed host or port",
        "nbd://host:70000/x | out of range",
        "nbd://user@host/x | user information",
        "nbd://host/x#frag | fragment",
        "nbd://ho st/x | not a valid URI",
        "nbd+unix:///x | missing socket",
        "nbd+unix:///x?socket= | missing socket",
        "nbd+unix://host/x?socket=/s | has no host",
        "nbd+unix:///x?socket=/a&socket=/b | more than once",
        "nbds://host/x | TLS",
        "nbd+vsock://2/x | vsock",
        "nbd://host/x?socket=/s | unknown query parameter 'socket'",
        "nbd+unix:///x?socket=/s&foo=1 | unknown query parameter 'foo'",
        "nbd://host/x?tls-type=x509 | TLS is not supported",
        "nbd+unix:///x?socket=%00abstract | abstract-namespace",
    })
    void shouldRejectMalformedUris(String uri, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NbdUri.parse(uri));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(e.getMessage().contains(uri), e.getMessage());
    }
}
