package dev.sluice.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Options of a {@link MariaDbSandbox}; {@link #build()} makes a stopped sandbox, {@link #start()} a running one. */
public final class MariaDbSandboxBuilder {
    /** Server options the sandbox owns; overriding them would break its lifecycle or its loopback-only promise. */
    private static final Set<String> RESERVED = Set.of(
            "no-defaults",
            "defaults-file",
            "defaults-extra-file",
            "datadir",
            "port",
            "socket",
            "bind-address",
            "pid-file",
            "log-error",
            "init-file",
            "user");

    private String name = "db";
    private final Map<String, String> options = new LinkedHashMap<>();
    private boolean tls;
    private boolean requireSecureTransport;
    private String defaultAuthPlugin = "mysql_native_password";
    private final List<String[]> users = new ArrayList<>();
    private final List<String> initSql = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration stopTimeout = Duration.ofSeconds(30);

    MariaDbSandboxBuilder() {}

    /** Shown in the directory name and in error messages; letters, digits, - and _ (others become _), 20 at most. */
    public MariaDbSandboxBuilder name(String name) {
        String clean = name.replaceAll("[^A-Za-z0-9_-]", "_");
        this.name = clean.length() > 20 ? clean.substring(0, 20) : clean;
        return this;
    }

    /**
     * A mariadbd option, passed as {@code --name=value} after the kit's defaults so that it wins, e.g.
     * {@code option("wait_timeout", "1")}, {@code option("max_allowed_packet", "64M")}.
     */
    public MariaDbSandboxBuilder option(String name, String value) {
        options.put(checkOptionName(name), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A mariadbd flag without value, passed as {@code --name}, e.g. {@code option("skip-ssl")}. */
    public MariaDbSandboxBuilder option(String name) {
        options.put(checkOptionName(name), null);
        return this;
    }

    public MariaDbSandboxBuilder options(Map<String, String> options) {
        options.forEach(this::option);
        return this;
    }

    /** Generates a CA, server and client certificate ({@link TlsFiles}) and starts with ssl-ca/ssl-cert/ssl-key. */
    public MariaDbSandboxBuilder tls() {
        return tls(true);
    }

    public MariaDbSandboxBuilder tls(boolean enabled) {
        this.tls = enabled;
        return this;
    }

    /** {@code require_secure_transport=ON} (TCP clients must use TLS; the unix socket stays allowed). Implies tls. */
    public MariaDbSandboxBuilder requireSecureTransport() {
        this.requireSecureTransport = true;
        this.tls = true;
        return this;
    }

    /**
     * Plugin for users added without one; {@code mysql_native_password} unless set. MariaDB has no server-side
     * default for new accounts, so this only affects {@link #user(String, String)}.
     */
    public MariaDbSandboxBuilder defaultAuthPlugin(String plugin) {
        this.defaultAuthPlugin = Objects.requireNonNull(plugin, "plugin");
        return this;
    }

    /** A user {@code name@'%'} with ALL PRIVILEGES, authenticated by the default plugin. */
    public MariaDbSandboxBuilder user(String name, String password) {
        users.add(new String[] {name, password, null});
        return this;
    }

    public MariaDbSandboxBuilder user(String name, String password, String plugin) {
        users.add(new String[] {name, password, Objects.requireNonNull(plugin, "plugin")});
        return this;
    }

    /** Statements run once, at the first start, after the users are created (one statement per call). */
    public MariaDbSandboxBuilder initSql(String... statements) {
        initSql.addAll(List.of(statements));
        return this;
    }

    public MariaDbSandboxBuilder startTimeout(Duration timeout) {
        this.startTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** How long {@link MariaDbSandbox#stop()} waits after SIGTERM before it sends SIGKILL. */
    public MariaDbSandboxBuilder stopTimeout(Duration timeout) {
        this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    public MariaDbSandbox build() {
        List<SandboxUser> resolved = new ArrayList<>();
        for (String[] user : users) {
            resolved.add(new SandboxUser(user[0], user[1], user[2] == null ? defaultAuthPlugin : user[2], "%"));
        }
        return new MariaDbSandbox(
                name,
                Collections.unmodifiableMap(new LinkedHashMap<>(options)),
                tls,
                requireSecureTransport,
                List.copyOf(resolved),
                List.copyOf(initSql),
                startTimeout,
                stopTimeout);
    }

    public MariaDbSandbox start() {
        return build().start();
    }

    private static String checkOptionName(String name) {
        String bare = name.startsWith("--") ? name.substring(2) : name;
        if (!bare.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("option name: " + name + " (expected: letters, digits, _ - .)");
        }
        String normal = bare.toLowerCase(Locale.ROOT).replace('_', '-');
        if (RESERVED.contains(normal)) {
            throw new IllegalArgumentException("option " + name + " is set by the sandbox itself");
        }
        return bare;
    }
}
