package dev.sluice.proxy.session;

import java.util.regex.Pattern;

/**
 * Decides whether a server's LOCAL INFILE request may reach the client: only when relaying is enabled, the
 * statement the client sent is a LOAD DATA/XML ... LOCAL INFILE, and the file the server asks for is the
 * one that statement names. A server can therefore never make Sluice or the client send a file nobody
 * asked for.
 */
final class LocalInfileGuard {
    private static final Pattern LOAD_LOCAL =
            Pattern.compile("(?is)^\\s*(?:/\\*.*?\\*/\\s*)*LOAD\\s+(?:DATA|XML)\\b.*?\\bLOCAL\\s+INFILE\\b.*");

    private LocalInfileGuard() {}

    static boolean isLoadDataLocal(String sql) {
        return sql != null && LOAD_LOCAL.matcher(sql).matches();
    }

    /** True when the server's request for {@code fileName} answers what {@code sql} asked for. */
    static boolean allows(String sql, String fileName) {
        return isLoadDataLocal(sql) && !fileName.isEmpty() && sql.contains(fileName);
    }
}
