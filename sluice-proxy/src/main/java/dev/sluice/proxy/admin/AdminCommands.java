package dev.sluice.proxy.admin;

import dev.sluice.proxy.session.ProxyErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin interface's statements, and how a statement finds its command: comments before it and a trailing
 * {@code ;} are dropped, then each command's pattern is tried in turn, then what drivers send at connect
 * ({@link DriverQueries}); anything else is ERR 1064 listing the commands.
 */
final class AdminCommands {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.admin");
    /** How much of an unknown statement the ERR repeats. */
    private static final int ECHO = 200;

    private final AdminContext admin;
    private final List<AdminCommand> commands = new ArrayList<>();

    /** @param who names the admin client in the log ("ops@127.0.0.1") */
    AdminCommands(AdminContext admin, AdminTables tables, String who) {
        this.admin = admin;
        commands.add(AdminCommand.table("SHOW SERVERS", "SHOW SERVERS", tables::servers));
        commands.add(AdminCommand.table("SHOW POOLS", "SHOW POOLS", tables::pools));
        commands.add(AdminCommand.table("SHOW SESSIONS", "SHOW SESSIONS", tables::sessions));
        commands.add(AdminCommand.table("SHOW CONFIG", "SHOW CONFIG", tables::config));
        commands.add(AdminCommand.table("SHOW METRICS", "SHOW METRICS", tables::metrics));
        commands.add(AdminCommand.of(
                "SHOW DIGESTS [ORDER BY column [ASC | DESC]] [LIMIT n]",
                "SHOW DIGESTS(?: ORDER BY ([a-z0-9_]+)(?: (ASC|DESC))?)?(?: LIMIT (\\d{1,9}))?",
                m -> DigestCommands.show(admin, m.group(1), m.group(2), m.group(3))));
        commands.add(AdminCommand.of("RESET DIGESTS", "RESET DIGESTS", m -> DigestCommands.reset(admin, who)));
        commands.add(AdminCommand.of(
                "KILL [CONNECTION | QUERY] id",
                "KILL(?: (CONNECTION|QUERY))? (\\d{1,19})",
                m -> SessionControl.kill(
                        admin, who, "QUERY".equalsIgnoreCase(m.group(1)), Long.parseLong(m.group(2)))));
        commands.add(AdminCommand.of(
                "SET SERVER name OFFLINE SOFT | OFFLINE HARD | ONLINE",
                "SET SERVER [`'\"]?([^\\s`'\"]+)[`'\"]? (OFFLINE SOFT|OFFLINE HARD|ONLINE)",
                m -> ServerControl.set(admin, who, m.group(1), m.group(2))));
        commands.add(AdminCommand.of("RELOAD CONFIG", "RELOAD CONFIG", m -> reload(who)));
        commands.add(AdminCommand.of(
                "CAPTURE SESSION id [TO 'file']",
                "CAPTURE SESSION (\\d{1,19})(?: TO '([^']*)')?",
                m -> CaptureCommand.capture(admin, who, Long.parseLong(m.group(1)), m.group(2))));
    }

    CompletableFuture<AdminReply> execute(String sql, DriverQueries.Client client) {
        String statement = normalise(sql);
        for (AdminCommand c : commands) {
            Matcher m = c.match(statement);
            if (m != null) {
                try {
                    return c.run().apply(m);
                } catch (RuntimeException e) {
                    LOG.warn("admin: {} failed", c.syntax(), e);
                    return CompletableFuture.completedFuture(
                            AdminReply.error(ProxyErrors.adminFailed(c.syntax() + " failed: " + e)));
                }
            }
        }
        AdminReply driver = DriverQueries.answer(statement, client);
        if (driver != null) {
            return CompletableFuture.completedFuture(driver);
        }
        String echo = statement.length() > ECHO ? statement.substring(0, ECHO) + "…" : statement;
        return CompletableFuture.completedFuture(AdminReply.error(ProxyErrors.adminUnknownCommand(echo, syntaxes())));
    }

    /** Every command's syntax, for the unknown-command ERR. */
    String syntaxes() {
        return commands.stream().map(AdminCommand::syntax).collect(Collectors.joining(", "));
    }

    private CompletableFuture<AdminReply> reload(String who) {
        ConfigReloader reloader =
                admin.reloader() == null ? null : admin.reloader().get();
        if (reloader == null) {
            return CompletableFuture.completedFuture(AdminReply.error(ProxyErrors.adminNotAvailable(
                    "RELOAD CONFIG is not available: this process has no configuration file to reload")));
        }
        LOG.info("admin {}: RELOAD CONFIG", who);
        ConfigReloader.ReloadResult result = reloader.reload();
        return CompletableFuture.completedFuture(
                result.ok()
                        ? AdminReply.ok(0, result.message())
                        : AdminReply.error(
                                ProxyErrors.adminFailed("RELOAD CONFIG changed nothing: " + result.message())));
    }

    /** Without leading comments ({@code /* ... *&#47;}, {@code -- ...}, {@code # ...}), spaces and trailing {@code ;}. */
    static String normalise(String sql) {
        String s = sql.strip();
        for (; ; ) {
            if (s.startsWith("/*") && s.indexOf("*/") > 0) {
                s = s.substring(s.indexOf("*/") + 2).strip();
            } else if ((s.startsWith("-- ") || s.startsWith("#")) && s.indexOf('\n') > 0) {
                s = s.substring(s.indexOf('\n') + 1).strip();
            } else {
                break;
            }
        }
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }
}
