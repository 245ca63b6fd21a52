// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The version resolution of scripts/debian-kernel, fed canned apt-cache output. */
class DebianKernelScriptTest {
    private static Result parse(String aptCacheShow) throws Exception {
        Process p = new ProcessBuilder(List.of(
                Host.repoRoot().resolve("scripts/debian-kernel").toString(), "--parse-kv"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write(aptCacheShow.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), out);
    }

    record Result(int status, String out) {
    }

    @Test
    void sid7xMetaPackage() throws Exception {
        Result r = parse("""
                Package: linux-image-amd64
                Source: linux-signed-amd64 (7.2.13+1)
                Version: 7.2.13-1
                Depends: linux-base-amd64 (= 7.2.13-1), linux-image-7.2.13+deb14-amd64 (= 7.2.13-1)
                Description: Linux for 64-bit PCs (meta-package)
                """);
        assertEquals(new Result(0, "7.2.13+deb14-amd64"), r);
    }

    @Test
    void trixie6x() throws Exception {
        assertEquals(new Result(0, "6.12.117+deb13-amd64"), parse("""
                Package: linux-image-amd64
                Version: 6.12.117-1
                Depends: linux-image-6.12.117+deb13-amd64 (= 6.12.117-1)
                """));
    }

    @Test
    void severalStanzasPickTheNewest() throws Exception {
        assertEquals(new Result(0, "6.12.117+deb13-amd64"), parse("""
                Package: linux-image-amd64
                Depends: linux-image-6.12.9+deb13-amd64 (= 6.12.9-1)

                Package: linux-image-amd64
                Depends: linux-image-6.12.117+deb13-amd64 (= 6.12.117-1)
                """));
    }

    @Test
    void nothingToResolve() throws Exception {
        assertNotEquals(0, parse("Package: linux-image-amd64\nDepends: linux-base-amd64\n").status());
    }
}
