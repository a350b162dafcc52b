package dev.sluice.proxy.session.state;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the one SET statement of a re-apply from the values the trackers reported. Each assignment is {@code
 * @@SESSION.name = value} (a scope per assignment: the statement never reaches a global). Values, as MariaDB 10.11
 * takes them back:
 *
 * <ul>
 *   <li>a number goes unquoted (a numeric variable refuses a quoted one: ERR 1232 "Incorrect argument type");
 *   <li>null (a variable the session never set) is {@code DEFAULT}, the global value;
 *   <li>the empty value of a variable that the tracker reports as empty for NULL (character_set_results) is
 *       {@code NULL};
 *   <li>any other text is quoted; text with a quote, a backslash or anything outside printable ASCII goes as
 *       {@code CONVERT(X'..' USING utf8mb4)}, which reads the same whatever the connection's sql_mode says of
 *       backslashes.
 * </ul>
 *
 * <p>Order: the character-set variables first, character_set_connection before collation_connection (setting a
 * character set resets its collation to the set's default), then the rest by name.
 */
final class SetStatement {
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final Pattern PLAIN_TEXT = Pattern.compile("[A-Za-z0-9_ ,.:+\\-/@]*");
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z0-9_]+");
    private static final List<String> EMPTY_IS_NULL = List.of(SessionState.CHARACTER_SET_RESULTS);
    private static final Map<String, Integer> FIRST = Map.of(
            SessionState.CHARACTER_SET_CLIENT, 0,
            SessionState.CHARACTER_SET_CONNECTION, 1,
            SessionState.COLLATION_CONNECTION, 2,
            SessionState.CHARACTER_SET_RESULTS, 3);

    private SetStatement() {}

    /** {name, value or null for DEFAULT} pairs; null when there are none. */
    static String of(List<String[]> assignments) {
        if (assignments.isEmpty()) {
            return null;
        }
        assignments.sort(Comparator.comparing((String[] a) -> FIRST.getOrDefault(a[0], FIRST.size()))
                .thenComparing(a -> a[0]));
        StringBuilder sql = new StringBuilder("SET ");
        for (int i = 0; i < assignments.size(); i++) {
            if (i > 0) {
                sql.append(", ");
            }
            String name = assignments.get(i)[0];
            sql.append("@@SESSION.")
                    .append(name(name))
                    .append(" = ")
                    .append(value(name, assignments.get(i)[1]));
        }
        return sql.toString();
    }

    static String name(String name) {
        return PLAIN_NAME.matcher(name).matches() ? name : "`" + name.replace("`", "``") + "`";
    }

    static String value(String name, String value) {
        if (value == null) {
            return "DEFAULT";
        }
        if (value.equals(SessionState.LOGIN_SQL_MODE_IGNORE_SPACE)) {
            return "CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'IGNORE_SPACE')";
        }
        if (value.isEmpty() && EMPTY_IS_NULL.contains(name)) {
            return "NULL";
        }
        if (NUMBER.matcher(value).matches()) {
            return value;
        }
        if (PLAIN_TEXT.matcher(value).matches()) {
            return "'" + value + "'";
        }
        return "CONVERT(X'" + HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8)) + "' USING utf8mb4)";
    }
}
