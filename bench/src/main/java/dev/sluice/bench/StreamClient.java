package dev.sluice.bench;

import dev.sluice.protocol.Wire;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one result with MySQL Connector/J in streaming mode (fetch size {@code Integer.MIN_VALUE}): the driver takes
 * one row at a time off the socket, so the client holds almost nothing and reads exactly as fast as it consumes.
 * Optionally paced to a byte rate: a slow client whose TCP receive window closes, so that backpressure engages in
 * whatever sits between it and the server.
 */
final class StreamClient {
    /** Check the pace every this many bytes (parking per row would cost more than the rows). */
    private static final long PACE_STEP = 256 * 1024;

    /**
     * @param bytes sum of the values' lengths
     * @param wireBytes what the rows took on the wire: per row a 4-byte packet header, per value its length-encoded
     *     length and bytes (0xFB for NULL); column definitions and the terminator are left out
     */
    record Result(long rows, long bytes, long wireBytes, long nanos) {
        double seconds() {
            return nanos / 1e9;
        }

        double megabytesPerSecond() {
            return bytes / 1e6 / seconds();
        }

        double rowsPerSecond() {
            return rows / seconds();
        }
    }

    /** Told the running byte counts about every mebibyte; may block (the stream then waits). */
    interface Progress {
        void at(long bytes, long wireBytes) throws Exception;
    }

    private StreamClient() {}

    static String url(String host, int port) {
        return "jdbc:mysql://" + host + ":" + port + "/bench?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + "&connectTimeout=10000&tcpNoDelay=true";
    }

    static Connection connect(String host, int port, String user, String password) throws SQLException {
        return DriverManager.getConnection(url(host, port), user, password);
    }

    /** As {@link #connect(String, int, String, String)} with more URL parameters ({@code a=b&c=d}; empty: none). */
    static Connection connect(String host, int port, String params, String user, String password) throws SQLException {
        String url = url(host, port) + (params.isEmpty() ? "" : "&" + params);
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * Streams {@code sql}'s result, reading every value as bytes.
     *
     * @param bytesPerSecond pace, or 0 for as fast as possible
     */
    static Result stream(Connection c, String sql, long bytesPerSecond, Progress progress) throws Exception {
        long rows = 0;
        long bytes = 0;
        long wire = 0;
        long nextCheck = PACE_STEP;
        long nextProgress = 1 << 20;
        long started = System.nanoTime();
        try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = s.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    wire += 4;
                    for (int i = 1; i <= columns; i++) {
                        byte[] value = rs.getBytes(i);
                        if (value != null) {
                            bytes += value.length;
                            wire += Wire.lenencIntSize(value.length) + value.length;
                        } else {
                            wire += 1;
                        }
                    }
                    rows++;
                    if (bytes >= nextCheck) {
                        nextCheck = bytes + PACE_STEP;
                        if (bytesPerSecond > 0) {
                            long due = started + (long) (bytes * 1e9 / bytesPerSecond);
                            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                                LockSupport.parkNanos(wait);
                            }
                        }
                    }
                    if (progress != null && bytes >= nextProgress) {
                        nextProgress = bytes + (1 << 20);
                        progress.at(bytes, wire);
                    }
                }
            }
        }
        return new Result(rows, bytes, wire, System.nanoTime() - started);
    }
}
