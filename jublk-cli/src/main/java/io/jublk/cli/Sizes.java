// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in bytes as people write them: {@code 4096}, {@code 512K}, {@code 1G}, {@code 1.5GiB}; binary units. */
final class Sizes {
    private static final String UNITS = "KMGTPE";
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([KMGTPE])(?:i?B)?|B)?",
            Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Parses a size: a number, optionally with a decimal part, and an optional binary unit K, M, G,
     * T, P or E (case-insensitive, optionally followed by {@code B} or {@code iB}).
     *
     * @param text the size
     * @return bytes, positive
     * @throws IllegalArgumentException saying what is wrong and what is accepted
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a number of bytes with an optional "
                    + "K, M, G or T suffix (binary: 1K = 1024), e.g. 512M or 1G");
        }
        int shift = m.group(2) == null ? 0 : 10 * (UNITS.indexOf(Character.toUpperCase(m.group(2).charAt(0))) + 1);
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.signum() == 0) {
            throw new IllegalArgumentException("size '" + text + "' is zero: give a positive size");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("size '" + text + "' is not a whole number of bytes");
        }
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return bytes.longValueExact();
    }

    /**
     * Formats a size for people: the largest binary unit that keeps it at least 1, with one decimal
     * when it is not a whole number of units, marked {@code ~} when even that is rounded
     * ({@code 1 GiB}, {@code 1.5 GiB}, {@code ~1.3 GiB}, {@code 700 B}).
     *
     * @param bytes a size, not negative
     * @return the text
     */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = Math.min((63 - Long.numberOfLeadingZeros(bytes)) / 10, UNITS.length());
        long scale = 1L << (10 * unit);
        String suffix = " " + UNITS.charAt(unit - 1) + "iB";
        if (bytes % scale == 0) {
            return bytes / scale + suffix;
        }
        BigDecimal exact = new BigDecimal(bytes).divide(BigDecimal.valueOf(scale));
        BigDecimal rounded = exact.setScale(1, java.math.RoundingMode.HALF_UP);
        String text = rounded.stripTrailingZeros().toPlainString();
        return (rounded.compareTo(exact) == 0 ? "" : "~") + text + suffix;
    }
}
