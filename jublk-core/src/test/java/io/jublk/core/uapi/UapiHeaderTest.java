// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the whole Java UAPI model against the real {@code linux/ublk_cmd.h} of Debian sid's
 * {@code linux-libc-dev}: a C program generated from the Java side (every layout, member and
 * {@code UBLK*} constant found by reflection) is compiled with gcc against that header and its
 * output compared value by value; and the header is parsed for names (macros, structs, members)
 * the Java side lacks.
 *
 * <p>The header root (a directory with {@code usr/include/linux/ublk_cmd.h}) is
 * {@code $JUBLK_UAPI_ROOT} if set, else what {@code scripts/debian-kernel sid} prints. The
 * compiler is {@code $CC}, default {@code gcc}. If either is missing, the test fails and says so.
 */
class UapiHeaderTest {

    /** The Java classes whose {@code UBLK*} constants must all exist, with equal values, in the header. */
    private static final List<Class<?>> CONSTANT_CLASSES = List.of(UblkCmd.class, UblkFeature.class, UblkIoOp.class);

    private static final Pattern KERNEL_NAME = Pattern.compile("UBLK(SRV)?_[A-Z0-9_]+");

    private static Path root;
    private static Path header;

    @BeforeAll
    static void findHeader() throws Exception {
        root = headerRoot();
        header = root.resolve("usr/include/linux/ublk_cmd.h");
        if (!Files.isRegularFile(header)) {
            fail("no usr/include/linux/ublk_cmd.h under " + root + " (header root from "
                    + (System.getenv("JUBLK_UAPI_ROOT") != null ? "$JUBLK_UAPI_ROOT" : "scripts/debian-kernel sid") + ")");
        }
        System.out.println("UapiHeaderTest: checking against " + header);
    }

    // ---------------------------------------------------------------------------------------
    // Java -> C: compile and compare every value
    // ---------------------------------------------------------------------------------------

    @Test
    void javaModelMatchesCompiledHeader(@TempDir Path tmp) throws Exception {
        Map<String, Long> expected = new LinkedHashMap<>();
        StringBuilder c = new StringBuilder();
        c.append("""
                #include <errno.h>
                #include <stddef.h>
                #include <stdio.h>
                #include <linux/ioctl.h>
                /* ublk_cmd.h uses _IOR/_IOWR and ENODEV but includes neither linux/ioctl.h nor errno.h. */
                #include "%s"

                #define IS_SIGNED(x) (((__typeof__(x)) -1) < 0)
                #define VAL(name, x) printf("%%s\\t%%llu\\n", name, (unsigned long long) (x))
                #define CONST(name, x) printf("%%s\\t%%llu signed=%%d\\n", name, (unsigned long long) (x), (int) IS_SIGNED(x))

                int main(void)
                {
                """.formatted(header.toAbsolutePath()));

        // Members the header lacks would break the whole compile: report them and leave them out.
        List<String> mismatches = new ArrayList<>();
        Map<String, Map<String, String>> structs = parseStructs(headerCode());
        for (GroupLayout layout : javaLayouts().values()) {
            String name = layout.name().orElseThrow();
            if (!structs.containsKey(name)) {
                mismatches.add("struct " + name + ": not defined by the header");
                continue;
            }
            String struct = "struct " + name;
            emitValue(c, expected, "sizeof(" + struct + ")", "sizeof(" + struct + ")", layout.byteSize());
            emitValue(c, expected, "_Alignof(" + struct + ")", "_Alignof(" + struct + ")", layout.byteAlignment());
            for (Member m : members(layout)) {
                if (!inHeader(structs, name, m.designator)) {
                    mismatches.add(struct + " member " + m.designator + ": not in the header");
                    continue;
                }
                String member = "((" + struct + " *) 0)->" + m.designator;
                emitValue(c, expected, "offsetof(" + struct + ", " + m.designator + ")",
                        "offsetof(" + struct + ", " + m.designator + ")", m.offset);
                emitValue(c, expected, "sizeof(" + member + ")", "sizeof(" + member + ")", m.layout.byteSize());
                if (m.layout instanceof ValueLayout && m.layout.byteSize() < Integer.BYTES) {
                    // Flyweights widen 8- and 16-bit fields without sign: the header must agree.
                    emitValue(c, expected, "IS_SIGNED(" + member + ")", "IS_SIGNED(" + member + ")", 0);
                }
            }
        }

        Map<String, Long> constants = javaConstants();
        for (Map.Entry<String, Long> e : constants.entrySet()) {
            String name = e.getKey();
            c.append("#ifdef ").append(name).append('\n')
                    .append("    CONST(\"").append(name).append("\", ").append(name).append(");\n")
                    .append("#else\n")
                    .append("    printf(\"%s\\tMISSING\\n\", \"").append(name).append("\");\n")
                    .append("#endif\n");
        }

        // The header's inline helpers against their Java equivalents.
        long shmem = UblkCmd.shmemZcAddr(0xBEEF, 0x89AB_CDEF);
        emitValue(c, expected, "ublk_shmem_zc_addr", "ublk_shmem_zc_addr(0xBEEF, 0x89ABCDEFu)", shmem);
        emitValue(c, expected, "ublk_shmem_zc_index", "ublk_shmem_zc_index(0x" + Long.toHexString(shmem) + "ull)",
                UblkCmd.shmemZcIndex(shmem));
        emitValue(c, expected, "ublk_shmem_zc_offset", "ublk_shmem_zc_offset(0x" + Long.toHexString(shmem) + "ull)",
                UblkCmd.shmemZcOffset(shmem));
        emitValue(c, expected, "ublk_auto_buf_reg_to_sqe_addr",
                "ublk_auto_buf_reg_to_sqe_addr(&(struct ublk_auto_buf_reg) {.index = 0xFEDC, .flags = UBLK_AUTO_BUF_REG_FALLBACK})",
                AutoBufRegFlyweight.autoBufReg(0xFEDC, UblkCmd.UBLK_AUTO_BUF_REG_FALLBACK));
        emitValue(c, expected, "ublk_sqe_addr_to_auto_buf_reg.index", "ublk_sqe_addr_to_auto_buf_reg(0x1ABCDull).index",
                AutoBufRegFlyweight.autoBufRegIndex(0x1ABCDL));
        emitValue(c, expected, "ublk_sqe_addr_to_auto_buf_reg.flags", "ublk_sqe_addr_to_auto_buf_reg(0x1ABCDull).flags",
                AutoBufRegFlyweight.autoBufRegFlags(0x1ABCDL));
        int opFlags = UblkIoOp.UBLK_IO_OP_ZONE_APPEND | UblkIoOp.UBLK_IO_F_FUA | UblkIoOp.UBLK_IO_F_SHMEM_ZC;
        emitValue(c, expected, "ublksrv_get_op",
                "ublksrv_get_op(&(struct ublksrv_io_desc) {.op_flags = " + opFlags + "u})", UblkIoOp.op(opFlags));
        emitValue(c, expected, "ublksrv_get_flags",
                "ublksrv_get_flags(&(struct ublksrv_io_desc) {.op_flags = " + opFlags + "u})",
                Integer.toUnsignedLong(UblkIoOp.flags(opFlags)) >>> 8);

        c.append("    return 0;\n}\n");

        Map<String, String> actual = compileAndRun(tmp, c.toString());

        for (Map.Entry<String, Long> e : expected.entrySet()) {
            String got = actual.get(e.getKey());
            if (got == null) {
                mismatches.add(e.getKey() + ": no output from the C program");
            } else if (Long.parseUnsignedLong(got) != e.getValue()) {
                mismatches.add(e.getKey() + ": Java " + e.getValue() + ", header " + got);
            }
        }
        for (Map.Entry<String, Long> e : constants.entrySet()) {
            String name = e.getKey();
            String got = actual.get(name);
            if (got == null) {
                mismatches.add(name + ": no output from the C program");
            } else if (got.equals("MISSING")) {
                mismatches.add(name + ": declared in Java, not defined by the header");
            } else {
                String[] parts = got.split(" signed=");
                long cBits = Long.parseUnsignedLong(parts[0]);
                boolean cSigned = parts[1].equals("1");
                long javaBits = javaBits(name, e.getValue(), cSigned);
                if (cBits != javaBits) {
                    mismatches.add(name + ": Java 0x" + Long.toHexString(javaBits) + ", header 0x" + Long.toHexString(cBits));
                }
            }
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " mismatch(es) between the Java UAPI model and " + header + ":\n  "
                    + String.join("\n  ", mismatches));
        }
        System.out.println("UapiHeaderTest: " + expected.size() + " layout/helper values and " + constants.size()
                + " constants match");
    }

    private static void emitValue(StringBuilder c, Map<String, Long> expected, String key, String expr, long value) {
        if (expected.put(key, value) != null) {
            throw new IllegalStateException("duplicate key " + key);
        }
        c.append("    VAL(\"").append(key.replace("\"", "\\\"")).append("\", ").append(expr).append(");\n");
    }

    /**
     * The value the C program prints for a Java constant: the 64-bit pattern of the C value.
     * {@code int} constants hold a C value of at most 32 bits, so they are widened the way C
     * widens it: with sign if the C expression is signed, else without.
     */
    private static long javaBits(String name, long value, boolean cSigned) {
        return JAVA_INT_CONSTANTS.contains(name) && !cSigned ? value & 0xFFFF_FFFFL : value;
    }

    private static final Set<String> JAVA_INT_CONSTANTS = new LinkedHashSet<>();

    /** Every public static final int/long named like a kernel constant, by name. */
    private static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> constants = new LinkedHashMap<>();
        for (Class<?> cls : CONSTANT_CLASSES) {
            for (Field f : cls.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isPublic(mod) || !Modifier.isStatic(mod) || !Modifier.isFinal(mod)
                        || !KERNEL_NAME.matcher(f.getName()).matches()) {
                    continue;
                }
                long value;
                if (f.getType() == int.class) {
                    value = f.getInt(null);
                    JAVA_INT_CONSTANTS.add(f.getName());
                } else if (f.getType() == long.class) {
                    value = f.getLong(null);
                } else {
                    throw new AssertionError(cls.getSimpleName() + "." + f.getName() + " has type " + f.getType());
                }
                if (constants.put(f.getName(), value) != null) {
                    throw new AssertionError(f.getName() + " declared twice");
                }
            }
        }
        // The enum's own idea of each flag must agree too (it is checked against the raw constants).
        for (UblkFeature feature : UblkFeature.values()) {
            Long raw = constants.get(feature.kernelName());
            if (raw == null || raw != feature.mask()) {
                throw new AssertionError(feature + ": mask 0x" + Long.toHexString(feature.mask()) + " but "
                        + feature.kernelName() + " = " + raw);
            }
        }
        return constants;
    }

    /** The struct layouts of {@link UblkLayouts}, by C struct name. */
    private static Map<String, GroupLayout> javaLayouts() throws IllegalAccessException {
        Map<String, GroupLayout> layouts = new LinkedHashMap<>();
        for (Field f : UblkLayouts.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && MemoryLayout.class.isAssignableFrom(f.getType())) {
                GroupLayout layout = (GroupLayout) f.get(null);
                String name = layout.name().orElseThrow(() -> new AssertionError(f.getName() + " has no name"));
                if (!f.getName().equals(name.toUpperCase())) {
                    throw new AssertionError(f.getName() + " is named " + name);
                }
                layouts.put(name, layout);
            }
        }
        return layouts;
    }

    /** A named member of a struct, with its C designator ("basic.attrs") and its offset. */
    private record Member(String designator, MemoryLayout layout, long offset) {
    }

    /** Every named member, nested ones included, looking through anonymous unions as C does. */
    private static List<Member> members(GroupLayout layout) {
        List<Member> out = new ArrayList<>();
        collect(layout, layout, new ArrayList<>(), "", out);
        return out;
    }

    private static void collect(GroupLayout top, GroupLayout group, List<PathElement> path, String prefix, List<Member> out) {
        List<MemoryLayout> members = group.memberLayouts();
        for (int i = 0; i < members.size(); i++) {
            MemoryLayout m = members.get(i);
            if (m instanceof PaddingLayout) {
                continue;
            }
            path.add(PathElement.groupElement(i));
            if (m.name().isEmpty()) {
                if (!(m instanceof GroupLayout anonymous)) {
                    throw new AssertionError("unnamed non-group member " + m + " in " + top);
                }
                collect(top, anonymous, path, prefix, out);
            } else {
                String designator = prefix + m.name().get();
                out.add(new Member(designator, m, top.byteOffset(path.toArray(PathElement[]::new))));
                if (m instanceof GroupLayout nested) {
                    collect(top, nested, path, designator + ".", out);
                }
            }
            path.removeLast();
        }
    }

    // ---------------------------------------------------------------------------------------
    // C -> Java: nothing in the header may be missing on the Java side
    // ---------------------------------------------------------------------------------------

    @Test
    void headerHasNothingTheJavaModelLacks() throws Exception {
        String code = headerCode();
        List<String> missing = new ArrayList<>();

        Set<String> javaNames = javaConstants().keySet();
        Matcher define = Pattern.compile("(?m)^\\s*#\\s*define\\s+(\\w+)(\\(?)").matcher(code);
        int macros = 0;
        while (define.find()) {
            String name = define.group(1);
            if (!define.group(2).isEmpty() || !KERNEL_NAME.matcher(name).matches()) {
                continue; // function-like macro or include guard
            }
            macros++;
            if (!javaNames.contains(name)) {
                missing.add("macro " + name + " has no Java constant");
            }
        }
        assertTrue(macros > 100, "found only " + macros + " UBLK* macros in " + header);

        Map<String, GroupLayout> layouts = javaLayouts();
        Map<String, Map<String, String>> structs = parseStructs(code);
        assertTrue(structs.size() >= 16, "found only " + structs.size() + " structs in " + header);
        for (Map.Entry<String, Map<String, String>> s : structs.entrySet()) {
            GroupLayout layout = layouts.get(s.getKey());
            if (layout == null) {
                missing.add("struct " + s.getKey() + " has no layout in UblkLayouts");
                continue;
            }
            Set<String> javaMembers = new LinkedHashSet<>();
            for (Member m : members(layout)) {
                if (!m.designator.contains(".")) {
                    javaMembers.add(m.designator);
                }
            }
            for (String member : s.getValue().keySet()) {
                if (!javaMembers.remove(member)) {
                    missing.add("struct " + s.getKey() + " member " + member + " is not in its layout");
                }
            }
            for (String extra : javaMembers) {
                missing.add("struct " + s.getKey() + " has no member " + extra + " (in the Java layout)");
            }
        }
        for (String name : layouts.keySet()) {
            if (!structs.containsKey(name)) {
                missing.add("layout " + name + " is not a struct of the header");
            }
        }
        if (!missing.isEmpty()) {
            fail(missing.size() + " name(s) differ between " + header + " and the Java model:\n  "
                    + String.join("\n  ", missing));
        }
    }

    /** The header's text without comments. */
    private static String headerCode() throws IOException {
        return Files.readString(header, StandardCharsets.UTF_8)
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\n]*", " ");
    }

    /**
     * Struct name to its direct members (members of anonymous unions included) and their types
     * ({@code "__u32"}, {@code "struct ublk_param_basic"}), parsed from comment-free code.
     */
    private static Map<String, Map<String, String>> parseStructs(String code) {
        Map<String, Map<String, String>> structs = new LinkedHashMap<>();
        Matcher start = Pattern.compile("(?m)^struct\\s+(\\w+)\\s*\\{").matcher(code);
        Pattern member = Pattern.compile("(__[us](?:8|16|32|64)|struct\\s+\\w+)\\s+(\\w+)\\s*(?:\\[[^\\]]*\\])?\\s*;");
        while (start.find()) {
            int depth = 1;
            int i = start.end();
            while (depth > 0) {
                char ch = code.charAt(i++);
                if (ch == '{') {
                    depth++;
                } else if (ch == '}') {
                    depth--;
                }
            }
            String body = code.substring(start.end(), i - 1);
            Map<String, String> members = new LinkedHashMap<>();
            Matcher m = member.matcher(body.replaceAll("(?m)^\\s*#.*$", ""));
            while (m.find()) {
                members.put(m.group(2), m.group(1).replaceAll("\\s+", " "));
            }
            structs.put(start.group(1), members);
        }
        return structs;
    }

    /** Whether a member designator ("basic.attrs") names a member of the parsed struct. */
    private static boolean inHeader(Map<String, Map<String, String>> structs, String struct, String designator) {
        Map<String, String> members = structs.get(struct);
        String[] names = designator.split("\\.");
        for (int i = 0; i < names.length; i++) {
            String type = members == null ? null : members.get(names[i]);
            if (type == null) {
                return false;
            }
            members = type.startsWith("struct ") ? structs.get(type.substring("struct ".length())) : null;
            if (members == null && i < names.length - 1) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------
    // Finding the header and the compiler
    // ---------------------------------------------------------------------------------------

    private static Path headerRoot() throws Exception {
        String override = System.getenv("JUBLK_UAPI_ROOT");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Path repo = Path.of("").toAbsolutePath();
        while (repo != null && !Files.isRegularFile(repo.resolve("scripts/debian-kernel"))) {
            repo = repo.getParent();
        }
        if (repo == null) {
            fail("cannot find scripts/debian-kernel above " + Path.of("").toAbsolutePath()
                    + "; it provides the ublk_cmd.h of Debian sid (or set JUBLK_UAPI_ROOT to a directory with usr/include/linux/ublk_cmd.h)");
        }
        Path script = repo.resolve("scripts/debian-kernel");
        Path out = Files.createTempFile("debian-kernel", ".out");
        try {
            Process p = new ProcessBuilder("bash", script.toString(), "sid")
                    .directory(repo.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail(script + " sid did not finish within 30 minutes");
            }
            List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
            if (p.exitValue() != 0 || lines.isEmpty()) {
                fail(script + " sid failed (exit " + p.exitValue() + ", see its messages above); it must print a directory"
                        + " holding usr/include/linux/ublk_cmd.h (needs apt-get, dpkg-deb and network or a cache)");
            }
            return Path.of(lines.getLast().strip());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Compiles and runs the program; returns its output lines "key TAB value" as key to value. */
    private static Map<String, String> compileAndRun(Path dir, String source) throws IOException, InterruptedException {
        Path src = dir.resolve("uapi_check.c");
        Path exe = dir.resolve("uapi_check");
        Files.writeString(src, source);
        String cc = System.getenv().getOrDefault("CC", "gcc");

        List<String> cmd = new ArrayList<>(List.of(cc, "-std=gnu11", "-Wall", "-o", exe.toString()));
        String multiarch = run(List.of(cc, "-print-multiarch"), dir, "cannot run the C compiler '" + cc
                + "' (install gcc, or set CC); it compiles the ublk_cmd.h layout check").strip();
        if (!multiarch.isEmpty()) {
            // The header package's asm/ headers must win over the build machine's.
            cmd.addAll(List.of("-I", root.resolve("usr/include").resolve(multiarch).toString()));
        }
        cmd.addAll(List.of("-I", root.resolve("usr/include").toString(), src.toString()));
        run(cmd, dir, "compiling the generated check of " + header + " failed (source: " + src + ")");

        String output = run(List.of(exe.toString()), dir, "the generated check program failed");
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                int tab = line.indexOf('\t');
                values.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return values;
    }

    private static String run(List<String> cmd, Path dir, String failure) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail(failure + ": " + e.getMessage());
            throw e;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail(failure + ":\n" + String.join(" ", cmd) + "\n" + output);
        }
        return output;
    }
}
