package dev.sluice.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.zip.CRC32;

/**
 * The large table the streaming and fault tests read: {@code test.big(id INT PRIMARY KEY, payload
 * VARCHAR(255))}, ids 1..N, payload 170..200 hex characters derived from the id (MD5/SHA1 of it, so
 * neighbouring rows differ everywhere). A text row of {@link #select} is about 200 bytes on the wire: the id,
 * the payload and the server's CRC32 of it, which {@link Checker} compares with its own.
 */
public final class BigTable {
    public static final int ROWS = 1_000_000;

    private BigTable() {}

    /** Sandbox options that make filling it fast (InnoDB needs more than the kit's 16M buffer pool). */
    public static final String BUFFER_POOL = "256M";

    /** Creates and fills {@code test.big} with ids 1..rows, directly on the sandbox as root (a few seconds). */
    public static long create(String host, int port, String rootPassword, int rows) throws SQLException {
        long begin = System.nanoTime();
        String url = "jdbc:mariadb://" + host + ":" + port + "/";
        try (Connection c = DriverManager.getConnection(url, "root", rootPassword);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS test");
            s.execute("USE test"); // seq_1_to_N resolves in the current database
            s.execute("CREATE TABLE test.big (id INT PRIMARY KEY, payload VARCHAR(255) NOT NULL) ENGINE=InnoDB");
            // seq_1_to_N is MariaDB's sequence engine: the rows are made on the server, nothing is sent
            s.execute("INSERT INTO test.big SELECT seq, LEFT(CONCAT(MD5(seq), SHA1(seq), MD5(seq * 7), SHA1(seq * 7),"
                    + " MD5(seq * 13), SHA1(seq * 13)), 170 + seq % 31) FROM seq_1_to_" + rows);
        }
        return (System.nanoTime() - begin) / 1_000_000;
    }

    /** The streaming query, ids ascending; {@code marker} goes into a comment so processlist can find it. */
    public static String select(String marker) {
        return "SELECT /* " + marker + " */ id, payload, CRC32(payload) FROM test.big ORDER BY id";
    }

    public static String select(String marker, long fromId, long toId) {
        return "SELECT /* " + marker + " */ id, payload, CRC32(payload) FROM test.big WHERE id BETWEEN " + fromId
                + " AND " + toId + " ORDER BY id";
    }

    /**
     * Checks rows of {@link #select} one by one: ids consecutive from the first expected, payload length as
     * generated, CRC32 of the payload bytes equal to the server's. Rows checked so far are therefore exactly a
     * prefix of the correct result.
     */
    public static final class Checker {
        private final String context;
        private final CRC32 crc = new CRC32();
        private long next;
        private long rows;

        public Checker(String context, long firstId) {
            this.context = context;
            this.next = firstId;
        }

        public void check(ResultSet rs) throws SQLException {
            long id = rs.getLong(1);
            byte[] payload = rs.getBytes(2);
            long serverCrc = rs.getLong(3);
            if (id != next) {
                throw new AssertionError(context + ": row " + rows + " has id " + id + ", expected " + next);
            }
            crc.reset();
            crc.update(payload);
            if (crc.getValue() != serverCrc || payload.length != 170 + id % 31) {
                throw new AssertionError(context + ": row id " + id + ": payload of " + payload.length
                        + " bytes with CRC32 " + crc.getValue() + ", server says " + serverCrc + " and "
                        + (170 + id % 31) + " bytes");
            }
            next++;
            rows++;
        }

        public long rows() {
            return rows;
        }

        /** Reads to the end of the result set, checking each row. */
        public void drain(ResultSet rs) throws SQLException {
            while (rs.next()) {
                check(rs);
            }
        }

        public void assertComplete(long expectedRows) {
            assertThat(rows).as(context + ": rows").isEqualTo(expectedRows);
        }
    }
}
