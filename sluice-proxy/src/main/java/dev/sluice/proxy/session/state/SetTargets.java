package dev.sluice.proxy.session.state;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The session variables a SET statement assigns, by name, for the one case where the trackers cannot say what
 * changed: a statement that changes the client's own trackers ({@code session_track_*}). It runs under the client's
 * trackers (see {@link ClientTrackerView#applyStatement()}), so a variable outside the client's new list changes
 * unreported: MariaDB Connector/J 3.x connects with {@code set sql_mode=CONCAT(@@sql_mode,',STRICT_TRANS_TABLES'),
 * session_track_system_variables=CONCAT('autocommit,...,tx_isolation',IF(LOCATE('*',...)...)),
 * session_track_schema=1,NAMES utf8mb4 [COLLATE x][, its sessionVariables]}, and sql_mode is not in its list. The
 * session reads these variables back ({@link SessionState#readBackQuery}) in the same write.
 *
 * <p>A small tokenizer over the statement text: strings, backtick names and comments are skipped as units, and
 * only top-level assignments count. {@link Targets#movable()} is false for what a read-back cannot cover (a user
 * variable, {@code SET TRANSACTION} for the next transaction, {@code SET PASSWORD}, {@code SET STATEMENT ... FOR},
 * anything not understood): the session then pins. When the statement recognition is one place, this belongs there.
 */
final class SetTargets {
    /**
     * @param variables the session variables named, lower case, in statement order ({@code session_track_*} left
     *     out: they are read back as the client's view)
     * @param movable false when the statement also does something a read-back cannot move
     * @param setsTrackerList the statement sets session_track_system_variables: the order of the client's list must
     *     be learned again while it is in place ({@code SessionTracking.orderProbe()}); otherwise the order learned
     *     before still holds (the list the session puts in place for the statement is the server's normalised
     *     spelling of the client's, whose order can differ)
     */
    record Targets(List<String> variables, boolean movable, boolean setsTrackerList) {}

    private static final List<String> CHARSET_VARIABLES = List.of(
            SessionState.CHARACTER_SET_CLIENT,
            SessionState.CHARACTER_SET_CONNECTION,
            SessionState.CHARACTER_SET_RESULTS,
            SessionState.COLLATION_CONNECTION);

    /** SET statements that assign no session variable: {@code SET PASSWORD}, {@code SET ROLE}, ... */
    private static final Set<String> NOT_VARIABLES = Set.of("PASSWORD", "ROLE", "DEFAULT", "STATEMENT");

    private SetTargets() {}

    /** The targets of {@code sql}, or null when it is not a SET statement. */
    static Targets of(String sql) {
        List<List<String>> items = items(tokens(sql));
        if (items == null) {
            return null;
        }
        Set<String> variables = new LinkedHashSet<>();
        boolean movable = true;
        boolean trackerList = false;
        boolean sessionScope = false;
        for (List<String> item : items) {
            int i = 0;
            String first = item.isEmpty() ? "" : item.get(0).toUpperCase(Locale.ROOT);
            if (first.equals("SESSION") || first.equals("LOCAL")) {
                sessionScope = true;
                i++;
            } else if (first.equals("GLOBAL") || first.startsWith("@@GLOBAL.")) {
                continue; // not this session's
            }
            String word = i < item.size() ? item.get(i) : "";
            String upper = word.toUpperCase(Locale.ROOT);
            if (upper.equals("NAMES") || upper.equals("CHARSET") || upper.equals("CHARACTER")) {
                variables.addAll(CHARSET_VARIABLES);
            } else if (upper.equals("TRANSACTION") && sessionScope) {
                variables.add("tx_isolation");
                variables.add("tx_read_only");
            } else if (word.startsWith("@") && !word.startsWith("@@")) {
                movable = false; // a user variable
            } else if (NOT_VARIABLES.contains(upper)) {
                movable = false;
            } else if (i + 1 < item.size()
                    && (item.get(i + 1).equals("=") || item.get(i + 1).equals(":="))) {
                String name = word.toLowerCase(Locale.ROOT);
                for (String prefix : List.of("@@session.", "@@local.", "@@")) {
                    if (name.startsWith(prefix)) {
                        name = name.substring(prefix.length());
                        break;
                    }
                }
                if (name.startsWith("`") && name.endsWith("`") && name.length() > 1) {
                    name = name.substring(1, name.length() - 1);
                }
                if (!name.startsWith("session_track_")) {
                    variables.add(name);
                }
                trackerList |= name.equals("session_track_system_variables");
            } else {
                movable = false; // TRANSACTION for the next one, PASSWORD, ROLE, STATEMENT ... FOR, ...
            }
        }
        return new Targets(List.copyOf(variables), movable, trackerList);
    }

    /** The statement's top-level comma-separated items after SET, each as its tokens; null when not a SET. */
    private static List<List<String>> items(List<String> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).equalsIgnoreCase("SET")) {
            return null;
        }
        List<List<String>> items = new ArrayList<>();
        List<String> item = new ArrayList<>();
        int depth = 0;
        for (String token : tokens.subList(1, tokens.size())) {
            if (token.equals("(")) {
                depth++;
            } else if (token.equals(")")) {
                depth--;
            } else if (depth == 0 && (token.equals(",") || token.equals(";"))) {
                items.add(item);
                item = new ArrayList<>();
                continue;
            }
            item.add(token);
        }
        items.add(item);
        return items;
    }

    /** Words (with {@code @} and {@code .}), strings and backtick names as single tokens, comments dropped. */
    static List<String> tokens(String sql) {
        List<String> tokens = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i)) {
                i += sql.startsWith("/*M!", i) ? 4 : 3;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++; // the version: the rest is code, its closing */ is skipped below
                }
            } else if (sql.startsWith("*/", i)) {
                i += 2;
            } else if (sql.startsWith("/*", i)) {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else if (c == '#' || sql.startsWith("-- ", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (d == '\\' && c != '`') {
                        j += 2;
                    } else if (d == c && j + 1 < n && sql.charAt(j + 1) == c) {
                        j += 2;
                    } else if (d == c) {
                        break;
                    } else {
                        j++;
                    }
                }
                tokens.add(sql.substring(i, Math.min(j + 1, n)));
                i = j + 1;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '@') {
                int j = i;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (!(Character.isLetterOrDigit(d) || d == '_' || d == '$' || d == '@' || d == '.')) {
                        break;
                    }
                    j++;
                }
                tokens.add(sql.substring(i, j));
                i = j;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == '=') {
                tokens.add(":=");
                i += 2;
            } else {
                tokens.add(String.valueOf(c));
                i++;
            }
        }
        return tokens;
    }
}
