// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void shouldQuoteWhatJsonNeedsQuoted() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.quote("a\"b\\c\nd\u0001"));
        assertEquals("null", Json.quote(null));
    }

    @Test
    void shouldRoundTripQuotedStrings() {
        String s = "tab\there \"quoted\" back\\slash \u00e9";
        assertEquals(s, Json.parse("[" + Json.quote(s) + "]") instanceof List<?> l ? l.getFirst() : null);
    }

    @Test
    void shouldParseNestedValues() {
        Object v = Json.parse("note: fio prints this first\n{\"a\": [1, 2.5e3, -3], \"b\": {\"c\": true, \"d\": null}}");
        assertEquals(2500.0, Json.number(v, "a", 1));
        assertEquals(-3.0, Json.number(v, "a", 2));
        assertEquals(Boolean.TRUE, Json.at(v, "b", "c"));
        assertTrue(Double.isNaN(Json.number(v, "b", "missing")));
        assertEquals(null, Json.at(v, "a", 7));
    }

    @Test
    void shouldRejectBrokenJson() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[\"open"));
    }
}
