package dev.sluice.proxy.session.prepared;

/**
 * What the meaning of a statement's text depends on besides the text, as it was when the client prepared it (and as
 * a connection is now): the database (unqualified names; the server also runs a prepared statement in the database
 * it was prepared in), and the session settings that change how a text parses ({@code settings}).
 *
 * <p>{@code settings} is one statement (sent as COM_QUERY) that puts those settings to this context's values, built by
 * the session from what it keeps of its state, e.g. {@code SET SESSION sql_mode='ANSI_QUOTES',
 * character_set_client=utf8mb4, collation_connection=utf8mb4_general_ci}: sql_mode decides whether {@code "a"} is a
 * string or a column, the client character set and connection collation what a literal's bytes mean. Two statements
 * share a server statement only when their contexts are equal (the same text for settings); a statement is prepared on
 * a connection in another context by switching to its own first and back after. Null: not tracked (all alike).
 */
public record StatementContext(String database, String settings) {
    /** No database, settings not tracked. */
    public static final StatementContext NONE = new StatementContext(null, null);

    public static StatementContext of(String database) {
        return new StatementContext(database, null);
    }
}
