// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The module dependency graph of one kernel, from its modules.dep and modules.builtin, used to
 * put the few modules the initramfs needs (9p, overlay, ...) in a loadable order.
 */
final class KernelModules {
    /** Module name (underscores) → path relative to lib/modules/KV. */
    private final Map<String, String> paths = new HashMap<>();
    /** Module name → names of the modules it needs, as listed in modules.dep. */
    private final Map<String, List<String>> deps = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();

    KernelModules(String modulesDep, String modulesBuiltin) {
        for (String line : modulesDep.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            String name = nameOf(path);
            paths.put(name, path);
            List<String> needs = new ArrayList<>();
            for (String dep : line.substring(colon + 1).trim().split("\\s+")) {
                if (!dep.isEmpty()) {
                    needs.add(nameOf(dep));
                }
            }
            deps.put(name, needs);
        }
        for (String line : modulesBuiltin.split("\n")) {
            if (!line.isBlank()) {
                builtin.add(nameOf(line.trim()));
            }
        }
    }

    static KernelModules load(Path moduleDir) throws IOException {
        Path builtinFile = moduleDir.resolve("modules.builtin");
        return new KernelModules(Files.readString(moduleDir.resolve("modules.dep")),
                Files.exists(builtinFile) ? Files.readString(builtinFile) : "");
    }

    /** "kernel/fs/9p/9p.ko.xz" → "9p"; "foo-bar" → "foo_bar" (the kernel treats - and _ alike). */
    static String nameOf(String pathOrName) {
        String base = pathOrName.substring(pathOrName.lastIndexOf('/') + 1);
        int ko = base.indexOf(".ko");
        if (ko >= 0) {
            base = base.substring(0, ko);
        }
        return base.replace('-', '_');
    }

    boolean isBuiltin(String name) {
        return builtin.contains(nameOf(name));
    }

    boolean isModule(String name) {
        return paths.containsKey(nameOf(name));
    }

    String path(String name) {
        return paths.get(nameOf(name));
    }

    /**
     * The modules to insmod, dependencies first, to make {@code wanted} available. Built-in
     * ones are skipped; a wanted name that is neither built in nor a module is an error.
     */
    List<String> loadOrder(List<String> wanted) {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String w : wanted) {
            String name = nameOf(w);
            if (builtin.contains(name)) {
                continue;
            }
            if (!paths.containsKey(name)) {
                throw new IllegalStateException("kernel has no module or built-in " + name);
            }
            visit(name, order, new HashSet<>());
        }
        return new ArrayList<>(order);
    }

    private void visit(String name, LinkedHashSet<String> order, Set<String> inProgress) {
        if (order.contains(name) || builtin.contains(name)) {
            return;
        }
        if (!inProgress.add(name)) {
            throw new IllegalStateException("module dependency cycle at " + name);
        }
        for (String dep : deps.getOrDefault(name, List.of())) {
            visit(dep, order, inProgress);
        }
        order.add(name);
    }
}
