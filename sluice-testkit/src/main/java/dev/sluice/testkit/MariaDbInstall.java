package dev.sluice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the MariaDB and OpenSSL programs the sandbox runs. Nothing is installed from Java: when {@code mariadbd} is
 * missing, {@link #ensure()} fails with {@link #MISSING_MESSAGE}, and {@code scripts/ensure-mariadb.sh} (run by the
 * test command, as root) installs Debian's {@code mariadb-server} and {@code mariadb-client}.
 */
public final class MariaDbInstall {
    public static final String MISSING_MESSAGE = "mariadbd not found: install Debian's mariadb-server"
            + " (sudo apt-get install -y mariadb-server) or run scripts/ensure-mariadb.sh as root";

    /** Searched after PATH: Debian puts mariadbd in /usr/sbin, which is not on a normal user's PATH. */
    private static final List<String> EXTRA_DIRS =
            List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin");

    private MariaDbInstall() {}

    /** The {@code mariadbd} binary, or a {@link SandboxException} with {@link #MISSING_MESSAGE}. */
    public static Path ensure() {
        return find("mariadbd").orElseThrow(() -> new SandboxException(MISSING_MESSAGE));
    }

    public static boolean isAvailable() {
        return find("mariadbd").isPresent()
                && find("mariadb-install-db").isPresent()
                && find("mariadb").isPresent();
    }

    /** An executable named {@code program} on PATH or in /usr/sbin, /usr/bin, /usr/local/sbin, /usr/local/bin. */
    public static Optional<Path> find(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(dir);
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static Path installDb() {
        ensure();
        return find("mariadb-install-db")
                .orElseThrow(
                        () -> new SandboxException(
                                "mariadb-install-db not found next to mariadbd: install Debian's mariadb-server"
                                        + " (sudo apt-get install -y mariadb-server) or run scripts/ensure-mariadb.sh as root"));
    }

    static Path client() {
        return find("mariadb")
                .orElseThrow(() -> new SandboxException("mariadb (the client) not found: install Debian's"
                        + " mariadb-client (sudo apt-get install -y mariadb-client) or run scripts/ensure-mariadb.sh"
                        + " as root"));
    }

    static Path openssl() {
        return find("openssl")
                .orElseThrow(() -> new SandboxException("openssl not found (needed for tls()): install Debian's"
                        + " openssl (sudo apt-get install -y openssl) or run scripts/ensure-mariadb.sh as root"));
    }

    /**
     * mariadbd refuses to run as root unless given {@code --user=root}. The effective uid comes from
     * /proc/self/status (no fork); user.name is the fallback off Linux.
     */
    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
