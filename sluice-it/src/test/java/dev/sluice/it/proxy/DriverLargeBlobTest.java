package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandboxExtension;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A 20 MiB BLOB written with setBytes and read back with getBytes by both drivers through Sluice: more than one
 * 16 MiB packet each way, as a text query (escaped bytes), as a COM_STMT_EXECUTE parameter and in text and binary
 * rows. The server's SHA2 of what it stored, and the bytes read straight from the server, must match.
 */
class DriverLargeBlobTest {
    private static final int SIZE = 20 << 20;
    private static final long SEED = 0x5EED_B10BL;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .option("max_allowed_packet", "64M")
            .initSql("CREATE DATABASE test", "CREATE TABLE test.blobs (id INT PRIMARY KEY, b LONGBLOB)")
            .build();

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), 0);
    }

    @AfterAll
    static void stop() {
        try {
            fixture.assertNoProtocolViolations(); // real traffic: no false positive of the validator
        } finally {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "1, CONNECTOR_J, useServerPrepStmts=false",
        "2, CONNECTOR_J, useServerPrepStmts=true",
        "3, MARIADB, useServerPrepStmts=false",
        "4, MARIADB, useServerPrepStmts=true",
    })
    void twentyMebibytesRoundTrip(int id, Driver driver, String params) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(SEED + id).nextBytes(data);
        String sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        String what = driver + " " + params + " (seed " + (SEED + id) + ")";
        try (Connection c = driver.viaSluice(fixture, params)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, data);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT b, LENGTH(b), SHA2(b, 256) FROM blobs WHERE id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(2)).as(what).isEqualTo(SIZE);
                    assertThat(rs.getString(3))
                            .as(what + ": server's SHA2 of what it stored")
                            .isEqualTo(sha256);
                    assertThat(rs.getBytes(1))
                            .as(what + ": bytes read back through Sluice")
                            .isEqualTo(data);
                }
            }
            // and a text-protocol read of the same row through Sluice
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT b FROM blobs WHERE id = " + id)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(1))
                        .as(what + ": text read through Sluice")
                        .isEqualTo(data);
            }
        }
        try (Connection c = driver.direct(fixture, params);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT b FROM blobs WHERE id = " + id)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)).as(what + ": read directly").isEqualTo(data);
        }
    }
}
