package dev.sluice.testkit;

import java.util.Objects;

/**
 * An account created at the sandbox's first start, granted ALL PRIVILEGES ON *.* (tests want to create schemas).
 *
 * @param plugin MariaDB authentication plugin, e.g. {@code mysql_native_password} or {@code ed25519} (the kit loads
 *     auth_ed25519 when a user needs it). MariaDB 10.11 has no {@code caching_sha2_password} or
 *     {@code sha256_password}; asking for them makes the start fail with the server's error.
 * @param host the account's host part; {@code %} unless given, since clients arrive from 127.0.0.1 and, with
 *     --skip-name-resolve, never as "localhost" over TCP
 */
public record SandboxUser(String name, String password, String plugin, String host) {
    public SandboxUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(host, "host");
        if (!plugin.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("plugin: " + plugin + " (expected: letters, digits, _)");
        }
    }

    /** The CREATE USER and GRANT statements, each ending with ";" and a newline. */
    String createSql() {
        String account = SqlText.quote(name) + "@" + SqlText.quote(host);
        String auth = password == null
                ? " IDENTIFIED VIA " + plugin
                : " IDENTIFIED VIA " + plugin + " USING PASSWORD(" + SqlText.quote(password) + ")";
        return "CREATE OR REPLACE USER " + account + auth + ";\n" + "GRANT ALL PRIVILEGES ON *.* TO " + account
                + " WITH GRANT OPTION;\n";
    }
}
