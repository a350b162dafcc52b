package dev.sluice.proxy.admin;

import dev.sluice.proxy.ops.OpsTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What clients send on their own when they connect, answered so that they connect to the admin interface as to a
 * server: every {@code SET ...} (accepted, changes nothing), {@code SELECT} of system variables ({@code
 * @@version_comment}, {@code @@max_allowed_packet}, Connector/J's list, ...), of {@code DATABASE()}, {@code USER()},
 * {@code VERSION()}, {@code CONNECTION_ID()} and literals, {@code SHOW VARIABLES [LIKE ...]} and {@code SHOW
 * WARNINGS}. A variable the interface does not know reads as NULL.
 */
final class DriverQueries {
    /** What the admin interface's greeting announces; drivers take their dialect from it. */
    static final String VERSION = "8.0.99-sluice-admin";

    /** The largest statement the admin interface reads (its packet limit after login). */
    static final int MAX_PACKET = 65536;

    private static final Pattern SET = Pattern.compile("(?is)SET\\s+(?!SERVER\\s).*");
    private static final Pattern SELECT = Pattern.compile("(?is)SELECT\\s+(.*?)(?:\\s+LIMIT\\s+\\d+)?");
    private static final Pattern ALIAS =
            Pattern.compile("(?is)(.*?)(?:\\s+AS)?\\s+[`'\"]?([A-Za-z_][A-Za-z_0-9.@]*)[`'\"]?");
    private static final Pattern VARIABLE = Pattern.compile("(?i)@@(?:session\\.|global\\.|local\\.)?([a-z_0-9]+)");
    private static final Pattern FUNCTION = Pattern.compile("(?i)([a-z_]+)\\s*\\(\\s*\\)");
    private static final Pattern SHOW_VARIABLES =
            Pattern.compile("(?is)SHOW\\s+(?:SESSION\\s+|GLOBAL\\s+|LOCAL\\s+)?VARIABLES(?:\\s+LIKE\\s+'([^']*)')?");
    private static final Pattern SHOW_WARNINGS = Pattern.compile("(?is)SHOW\\s+(?:WARNINGS|ERRORS)(?:\\s+LIMIT.*)?");

    /** The client this connection belongs to. */
    record Client(long connectionId, String user, String host) {}

    private DriverQueries() {}

    /** The answer to a statement drivers send, or null when it is none of them. */
    static AdminReply answer(String sql, Client client) {
        if (SET.matcher(sql).matches()) {
            return AdminReply.ok(0, "");
        }
        Matcher m = SHOW_WARNINGS.matcher(sql);
        if (m.matches()) {
            return new AdminReply.Table(OpsTable.builder()
                    .text("Level")
                    .integer("Code")
                    .text("Message")
                    .build());
        }
        m = SHOW_VARIABLES.matcher(sql);
        if (m.matches()) {
            Pattern like = m.group(1) == null ? null : like(m.group(1));
            OpsTable.Builder t = OpsTable.builder().text("Variable_name", "Value");
            variables(client).forEach((k, v) -> {
                if (like == null || like.matcher(k).matches()) {
                    t.row(k, v == null ? "" : v.toString());
                }
            });
            return new AdminReply.Table(t.build());
        }
        m = SELECT.matcher(sql);
        return m.matches() ? select(m.group(1), client) : null;
    }

    /** {@code SELECT a, b AS c, ...}: one row; null when an item is not one of what drivers ask. */
    private static AdminReply select(String list, Client client) {
        Map<String, Object> vars = variables(client);
        List<String> names = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (String item : list.split(",")) {
            String expr = item.strip();
            String name = expr;
            if (!value(expr, vars, client, values)) {
                Matcher alias = ALIAS.matcher(expr);
                if (!alias.matches() || !value(alias.group(1).strip(), vars, client, values)) {
                    return null;
                }
                name = alias.group(2);
            }
            names.add(name);
        }
        OpsTable.Builder t = OpsTable.builder();
        for (int i = 0; i < names.size(); i++) {
            if (values.get(i) instanceof Long) {
                t.integer(names.get(i));
            } else {
                t.text(names.get(i));
            }
        }
        return new AdminReply.Table(t.row(values.toArray()).build());
    }

    /** Adds the value of {@code expr} when it is one drivers ask for; false when it is not. */
    private static boolean value(String expr, Map<String, Object> vars, Client client, List<Object> values) {
        Matcher m = VARIABLE.matcher(expr);
        if (m.matches()) {
            values.add(vars.get(m.group(1).toLowerCase(Locale.ROOT)));
            return true;
        }
        m = FUNCTION.matcher(expr);
        if (m.matches()) {
            String f = m.group(1).toUpperCase(Locale.ROOT);
            Object v = switch (f) {
                case "DATABASE", "SCHEMA" -> null;
                case "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER" -> client.user() + "@" + client.host();
                case "VERSION" -> VERSION;
                case "CONNECTION_ID" -> client.connectionId();
                default -> "";
            };
            if (f.equals("DATABASE") || f.equals("SCHEMA") || !"".equals(v)) {
                values.add(v);
                return true;
            }
            return false;
        }
        if (expr.matches("-?\\d{1,18}")) {
            values.add(Long.parseLong(expr));
            return true;
        }
        if (expr.length() >= 2
                && expr.startsWith("'")
                && expr.endsWith("'")
                && expr.indexOf('\'', 1) == expr.length() - 1) {
            values.add(expr.substring(1, expr.length() - 1));
            return true;
        }
        return false;
    }

    /** The system variables drivers read at connect, with values that describe this interface. */
    static Map<String, Object> variables(Client client) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("auto_increment_increment", 1L);
        v.put("autocommit", 1L);
        v.put("character_set_client", "utf8mb4");
        v.put("character_set_connection", "utf8mb4");
        v.put("character_set_results", "utf8mb4");
        v.put("character_set_server", "utf8mb4");
        v.put("collation_connection", "utf8mb4_general_ci");
        v.put("collation_server", "utf8mb4_general_ci");
        v.put("init_connect", "");
        v.put("interactive_timeout", 28800L);
        v.put("license", "Apache-2.0");
        v.put("lower_case_table_names", 0L);
        v.put("max_allowed_packet", (long) MAX_PACKET);
        v.put("net_buffer_length", 16384L);
        v.put("net_write_timeout", 60L);
        v.put("performance_schema", 0L);
        v.put("query_cache_size", 0L);
        v.put("query_cache_type", "OFF");
        v.put("read_only", 1L);
        v.put("sql_mode", "");
        v.put("system_time_zone", "UTC");
        v.put("time_zone", "SYSTEM");
        v.put("transaction_isolation", "REPEATABLE-READ");
        v.put("tx_isolation", "REPEATABLE-READ");
        v.put("transaction_read_only", 0L);
        v.put("tx_read_only", 0L);
        v.put("version", VERSION);
        v.put("version_comment", "Sluice admin interface");
        v.put("wait_timeout", 28800L);
        v.put("pseudo_thread_id", client.connectionId());
        return v;
    }

    /** A LIKE pattern with {@code %} wildcards (what drivers send), case-insensitive. */
    private static Pattern like(String like) {
        String regex = Arrays.stream(like.split("%", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
    }
}
