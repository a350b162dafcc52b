package dev.sluice.it.proxy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two JDBC drivers under test, connecting either through Sluice or straight to the sandbox behind it with
 * the same URL parameters, so one scenario can be run both ways and the two transcripts compared.
 */
enum Driver {
    /** MySQL Connector/J. YEAR as a number and no instant shifting, as {@link dev.sluice.it.Canonical} expects. */
    CONNECTOR_J(
            "jdbc:mysql", "sslMode=DISABLED&allowPublicKeyRetrieval=true&yearIsDateType=false&preserveInstants=false"),
    MARIADB("jdbc:mariadb", "");

    private final String scheme;
    private final String defaults;

    Driver(String scheme, String defaults) {
        this.scheme = scheme;
        this.defaults = defaults;
    }

    /** Through Sluice as the fixture's user. */
    Connection viaSluice(ProxyFixture fixture, String params) throws SQLException {
        return connect(fixture.port(), params, ProxyFixture.USER, ProxyFixture.PASSWORD);
    }

    /** Straight to the sandbox as the same user. */
    Connection direct(ProxyFixture fixture, String params) throws SQLException {
        return connect(fixture.sandbox.port(), params, ProxyFixture.USER, ProxyFixture.PASSWORD);
    }

    Connection connect(int port, String params, String user, String password) throws SQLException {
        return DriverManager.getConnection(url(port, params), user, password);
    }

    /** Database {@code test} on 127.0.0.1:port; {@code params} override this driver's defaults key by key. */
    String url(int port, String params) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String source : new String[] {defaults, params}) {
            for (String pair : source.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    merged.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        StringBuilder url =
                new StringBuilder(scheme).append("://127.0.0.1:").append(port).append("/test");
        String sep = "?";
        for (Map.Entry<String, String> e : merged.entrySet()) {
            url.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = "&";
        }
        return url.toString();
    }

    /** The connection id the driver learnt from the greeting (Sluice's session id through Sluice). */
    long connectionId(Connection c) throws SQLException {
        return this == CONNECTOR_J
                ? c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getId()
                : c.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
    }

    /** Whether the driver's socket is TLS, by the driver's own state. */
    boolean usesTls(Connection c) throws SQLException {
        return this == CONNECTOR_J
                ? c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).getSession().isSSLEstablished()
                : c.unwrap(org.mariadb.jdbc.Connection.class)
                        .getContext()
                        .hasClientCapability(org.mariadb.jdbc.util.constants.Capabilities.SSL);
    }

    /** Whether the driver negotiated CLIENT_DEPRECATE_EOF with whoever it connected to. */
    boolean deprecateEof(Connection c) throws SQLException {
        if (this == CONNECTOR_J) {
            com.mysql.cj.protocol.ServerSession session = c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class)
                    .getSession()
                    .getServerSession();
            return session.isEOFDeprecated();
        }
        return c.unwrap(org.mariadb.jdbc.Connection.class)
                .getContext()
                .hasClientCapability(org.mariadb.jdbc.util.constants.Capabilities.CLIENT_DEPRECATE_EOF);
    }

    @Override
    public String toString() {
        return this == CONNECTOR_J ? "MySQL Connector/J" : "MariaDB Connector/J";
    }
}
