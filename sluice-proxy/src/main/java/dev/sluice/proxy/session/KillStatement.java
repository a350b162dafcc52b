package dev.sluice.proxy.session;

import io.netty.buffer.ByteBuf;

/**
 * A KILL statement as Sluice translates it: {@code KILL [HARD|SOFT] [CONNECTION|QUERY] <id>}, where the id is a
 * Sluice connection id (the one the client saw in its greeting) that Sluice maps to the server thread behind
 * that session. Every other form cannot be translated safely and is refused with {@link #unsupported()} saying
 * why: {@code KILL QUERY ID <query id>} and {@code KILL USER <user>} name the server's queries and accounts,
 * which Sluice's pooled connections share between clients, and an id given as an expression cannot be mapped.
 *
 * @param query true for KILL QUERY, false for KILL [CONNECTION]
 * @param unsupported null for a statement Sluice translates, else what it cannot translate
 */
public record KillStatement(String modifier, boolean query, long id, String unsupported) {

    /**
     * The KILL statement (its first keyword is KILL) as Sluice reads it; {@code KILL [QUERY] CONNECTION_ID()} names
     * {@code sessionId}.
     */
    static KillStatement parse(
            ByteBuf buf, StatementScanner.Statement statement, boolean noBackslashEscapes, long sessionId) {
        SqlLexer lexer = SqlLexer.of(buf, statement, noBackslashEscapes);
        lexer.next(); // KILL
        String modifier = null;
        boolean query = false;
        int t = lexer.next();
        if (lexer.is("HARD") || lexer.is("SOFT")) {
            modifier = lexer.is("HARD") ? "HARD" : "SOFT";
            t = lexer.next();
        }
        if (lexer.is("CONNECTION") || lexer.is("QUERY")) {
            query = lexer.is("QUERY");
            t = lexer.next();
        }
        if (lexer.is("ID")) {
            return refused("KILL QUERY ID (query ids are the server's; kill by connection id)");
        }
        if (lexer.is("USER")) {
            return refused("KILL USER (server accounts are shared by Sluice's pooled connections)");
        }
        if (lexer.is("CONNECTION_ID")
                && lexer.next() == SqlLexer.LPAREN
                && lexer.next() == SqlLexer.RPAREN
                && lexer.next() == SqlLexer.END) {
            return new KillStatement(modifier, query, sessionId, null);
        }
        if (t != SqlLexer.NUMBER) {
            return refused("KILL with an id that is not a number");
        }
        long id = 0;
        for (int i = lexer.start; i < lexer.stop; i++) {
            byte b = buf.getByte(i);
            if (!SqlLexer.isDigit(b) || id > (Long.MAX_VALUE - 9) / 10) {
                return refused("KILL with an id that is not a number");
            }
            id = id * 10 + (b - '0');
        }
        if (lexer.next() != SqlLexer.END) {
            return refused("KILL with an expression as its id");
        }
        return new KillStatement(modifier, query, id, null);
    }

    private static KillStatement refused(String what) {
        return new KillStatement(null, false, -1, what);
    }

    /** The same statement for another id (the server thread id). */
    public String withId(long serverThreadId) {
        return "KILL " + (modifier == null ? "" : modifier + " ") + (query ? "QUERY " : "CONNECTION ") + serverThreadId;
    }
}
