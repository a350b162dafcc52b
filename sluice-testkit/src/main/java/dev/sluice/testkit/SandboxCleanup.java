package dev.sluice.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM shutdown hook: on a normal exit (or SIGTERM/SIGINT) it kills every open sandbox and deletes its directory
 * at once, instead of leaving that to the launcher script's next poll. SIGKILL skips this; the script covers it.
 */
final class SandboxCleanup {
    private static final Set<MariaDbSandbox> OPEN = ConcurrentHashMap.newKeySet();
    private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();
    private static boolean hookInstalled;

    private SandboxCleanup() {}

    static void register(MariaDbSandbox sandbox) {
        installHook();
        OPEN.add(sandbox);
    }

    static void unregister(MariaDbSandbox sandbox) {
        OPEN.remove(sandbox);
    }

    static void registerDirectory(Path dir) {
        installHook();
        DIRECTORIES.add(dir);
    }

    private static synchronized void installHook() {
        if (!hookInstalled) {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(SandboxCleanup::runHook, "sluice-sandbox-cleanup"));
        }
    }

    private static void runHook() {
        for (MariaDbSandbox sandbox : new ArrayList<>(OPEN)) {
            try {
                sandbox.close();
            } catch (RuntimeException e) {
                // best effort while the JVM exits; the launcher script removes what is left
            }
        }
        for (Path dir : List.copyOf(DIRECTORIES)) {
            try {
                SandboxDirs.deleteRecursively(dir);
            } catch (RuntimeException e) {
                // idem
            }
        }
    }
}
