package dev.sluice.proxy.admin;

import dev.sluice.proxy.ops.OpsTable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One statement of the admin interface: its syntax (as the unknown-command error lists it), the pattern it is
 * recognised by (case-insensitive, the whole statement, spaces free), and what it does. Adding a command is adding
 * one of these to {@link AdminCommands}; a table-producing one is {@link #table}.
 */
record AdminCommand(String syntax, Pattern pattern, Function<Matcher, CompletableFuture<AdminReply>> run) {
    /**
     * @param regex the statement's pattern, words separated by single spaces (any run of whitespace matches)
     */
    static AdminCommand of(String syntax, String regex, Function<Matcher, CompletableFuture<AdminReply>> run) {
        return new AdminCommand(
                syntax, Pattern.compile(regex.replace(" ", "\\s+"), Pattern.CASE_INSENSITIVE | Pattern.DOTALL), run);
    }

    /** A command answering with a table (built on the admin's thread, or later on others, such as the sessions). */
    static AdminCommand table(String syntax, String regex, Supplier<CompletableFuture<OpsTable>> table) {
        return of(syntax, regex, m -> table.get().thenApply(AdminReply.Table::new));
    }

    /** The match when {@code statement} is this command, or null. */
    Matcher match(String statement) {
        Matcher m = pattern.matcher(statement);
        return m.matches() ? m : null;
    }
}
