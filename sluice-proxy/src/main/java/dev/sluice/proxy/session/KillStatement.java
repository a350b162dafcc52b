package dev.sluice.proxy.session;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises {@code KILL [HARD|SOFT] [CONNECTION|QUERY] <id>} so the id (a Sluice session id, the one the
 * client saw in its greeting) can be mapped to the server thread behind that session. {@code KILL QUERY ID
 * <query id>} names a server query id and is passed through unchanged.
 *
 * @param query true for KILL QUERY, false for KILL [CONNECTION]
 */
public record KillStatement(String modifier, boolean query, long id) {
    private static final Pattern KILL = Pattern.compile(
            "\\s*KILL\\s+(?:(HARD|SOFT)\\s+)?(?:(CONNECTION|QUERY)\\s+)?(\\d{1,19})\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE);

    /** The statement as a KILL of a connection id, or null for anything else. */
    public static KillStatement parse(String sql) {
        if (sql.length() > 200) {
            return null;
        }
        Matcher m = KILL.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        long id;
        try {
            id = Long.parseLong(m.group(3));
        } catch (NumberFormatException e) {
            return null;
        }
        return new KillStatement(m.group(1), "QUERY".equalsIgnoreCase(m.group(2)), id);
    }

    /** The same statement for another id (the server thread id). */
    public String withId(long serverThreadId) {
        return "KILL " + (modifier == null ? "" : modifier.toUpperCase() + " ") + (query ? "QUERY " : "CONNECTION ")
                + serverThreadId;
    }
}
