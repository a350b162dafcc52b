package dev.sluice.proxy.accounts;

import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements that read a server's accounts, and their rows into {@link ServerAccount}s. Each gives the same six
 * columns: user, host, plugin, authentication string, locked (1/0), password expired (1/0). Anonymous users (an
 * empty name) and roles are left out.
 */
final class AccountQuery {
    /** ER_NO_SUCH_TABLE: no mysql.global_priv (MySQL, MariaDB before 10.4). */
    static final int NO_SUCH_TABLE = 1146;

    /**
     * MariaDB 10.4+: the JSON of {@code mysql.global_priv} (JSON_VALUE gives a JSON true as "1" on 10.11, "true"
     * is accepted too). Expired: {@code PASSWORD EXPIRE} stores
     * password_last_changed 0; else a lifetime (the account's, -1 meaning the global default_password_lifetime, 0
     * never) in days since the last change.
     */
    static final String GLOBAL_PRIV = "SELECT User, Host,"
            + " JSON_VALUE(Priv, '$.plugin'),"
            + " JSON_VALUE(Priv, '$.authentication_string'),"
            + " IF(JSON_VALUE(Priv, '$.account_locked') IN ('true', '1'), 1, 0),"
            + " CASE WHEN JSON_VALUE(Priv, '$.password_last_changed') = '0' THEN 1"
            + " WHEN COALESCE(NULLIF(CAST(JSON_VALUE(Priv, '$.password_lifetime') AS SIGNED), -1),"
            + " @@default_password_lifetime) > 0"
            + " AND CAST(JSON_VALUE(Priv, '$.password_last_changed') AS SIGNED) + 86400 *"
            + " COALESCE(NULLIF(CAST(JSON_VALUE(Priv, '$.password_lifetime') AS SIGNED), -1),"
            + " @@default_password_lifetime) < UNIX_TIMESTAMP() THEN 1 ELSE 0 END"
            + " FROM mysql.global_priv"
            + " WHERE User <> '' AND IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false') NOT IN ('true', '1')";

    /** MySQL 5.7+ (not tested against MySQL): the columns of {@code mysql.user}; lifetimes are not evaluated. */
    static final String MYSQL_USER = "SELECT User, Host, plugin, authentication_string,"
            + " IF(account_locked = 'Y', 1, 0), IF(password_expired = 'Y', 1, 0)"
            + " FROM mysql.user WHERE User <> ''";

    private AccountQuery() {}

    static List<ServerAccount> read(QueryResult result) {
        ResultSet rs = result.resultSet();
        if (rs.columns().size() != 6) {
            throw new IllegalStateException("accounts query: " + rs.columns().size() + " columns (expected 6)");
        }
        List<ServerAccount> accounts = new ArrayList<>(rs.rows().size());
        for (List<Object> row : rs.rows()) {
            accounts.add(new ServerAccount(
                    text(row.get(0)),
                    HostPattern.parse(text(row.get(1))),
                    text(row.get(2)),
                    text(row.get(3)),
                    flag(row.get(4)),
                    flag(row.get(5))));
        }
        return accounts;
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof byte[] bytes
                ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : value.toString();
    }

    private static boolean flag(Object value) {
        return value != null && "1".equals(text(value));
    }
}
