package dev.sluice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The command lines and setup SQL of a sandbox: launcher script, mariadbd options, --init-file contents. */
final class ServerCommand {
    private static final String SCRIPT = loadScript();

    private ServerCommand() {}

    /** {@code sh -c <launch-mariadbd.sh> sluice-sandbox <jvm pid> <dir>}; the mariadbd command line follows. */
    static List<String> launcher(Path dir) {
        return new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                SCRIPT,
                "sluice-sandbox",
                Long.toString(ProcessHandle.current().pid()),
                dir.toString()));
    }

    /**
     * Defaults chosen for a quick start in little memory, then TLS, then the per-test options last so that they win
     * (mariadbd takes the last occurrence of an option).
     *
     * @param initFile the setup SQL, passed only at the first start (mariadbd would run it at every start)
     */
    static List<String> mariadbd(
            Path dir,
            int port,
            Path socket,
            TlsFiles tls,
            boolean requireSecureTransport,
            List<SandboxUser> users,
            Map<String, String> options,
            Path initFile) {
        List<String> args = new ArrayList<>(List.of(
                MariaDbInstall.ensure().toString(),
                "--no-defaults",
                "--datadir=" + dir.resolve("data"),
                "--port=" + port,
                "--socket=" + socket,
                "--bind-address=" + InetAddress.getLoopbackAddress().getHostAddress(),
                "--pid-file=" + dir.resolve("mariadbd.pid"),
                "--log-error=" + dir.resolve("error.log"),
                "--skip-name-resolve"));
        if (MariaDbInstall.runningAsRoot()) {
            args.add("--user=root");
        }
        args.addAll(SandboxDirs.INNODB_SIZES);
        args.addAll(List.of(
                // durable against a process crash (kill()), not an OS crash: fine for throwaway data
                "--innodb-flush-log-at-trx-commit=2",
                "--innodb-doublewrite=0",
                "--innodb-buffer-pool-load-at-startup=0",
                "--innodb-buffer-pool-dump-at-shutdown=0",
                // handshakes a proxy or a fault test abandons must not get 127.0.0.1 blocked
                "--max-connect-errors=1000000"));
        if (!options.containsKey("tmpdir")) {
            // the server's temporary tables in a directory of its own: a shared /tmp was seen cleaned under it
            Path tmp = dir.resolve("tmp");
            try {
                java.nio.file.Files.createDirectories(tmp);
            } catch (java.io.IOException e) {
                throw new SandboxException("cannot create " + tmp + ": " + e.getMessage(), e);
            }
            args.add("--tmpdir=" + tmp);
        }
        if (users.stream().anyMatch(u -> u.plugin().equals("ed25519"))) {
            args.add("--plugin-load-add=auth_ed25519");
        }
        if (tls != null) {
            args.add("--ssl-ca=" + tls.caCert());
            args.add("--ssl-cert=" + tls.serverCert());
            args.add("--ssl-key=" + tls.serverKey());
        }
        if (requireSecureTransport) {
            args.add("--require-secure-transport=ON");
        }
        if (initFile != null) {
            args.add("--init-file=" + initFile);
        }
        options.forEach((key, value) -> args.add(value == null ? "--" + key : "--" + key + "=" + value));
        return args;
    }

    static String setupSql(String rootPassword, List<SandboxUser> users, List<String> initSql) {
        StringBuilder sql = new StringBuilder();
        // install-db made root@localhost, @127.0.0.1 and @::1 without password; TCP clients match @127.0.0.1.
        // In ALTER USER a, b IDENTIFIED ... the clause binds to b only, hence one statement per account.
        for (String host : List.of("localhost", "127.0.0.1", "::1")) {
            sql.append("ALTER USER IF EXISTS 'root'@")
                    .append(SqlText.quote(host))
                    .append(" IDENTIFIED VIA mysql_native_password USING PASSWORD(")
                    .append(SqlText.quote(rootPassword))
                    .append(");\n");
        }
        users.forEach(user -> sql.append(user.createSql()));
        appendStatements(sql, initSql);
        return sql.toString();
    }

    /** Appends each statement with one ";" and a newline, whether or not it ended with ";" already. */
    static void appendStatements(StringBuilder sql, List<String> statements) {
        statements.forEach(
                statement -> sql.append(statement.strip().replaceAll(";+$", "")).append(";\n"));
    }

    private static String loadScript() {
        try (InputStream in = ServerCommand.class.getResourceAsStream("launch-mariadbd.sh")) {
            if (in == null) {
                throw new IllegalStateException("resource launch-mariadbd.sh missing from the testkit jar");
            }
            // comment lines dropped: the script is an argv element and shows up in ps
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.strip().startsWith("#") && !line.isBlank())
                    .collect(Collectors.joining("\n", "", "\n"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read launch-mariadbd.sh: " + e.getMessage(), e);
        }
    }
}
