package dev.sluice.proxy.session;

import dev.sluice.protocol.Command;
import dev.sluice.proxy.digest.DigestEntry;
import dev.sluice.proxy.digest.DigestTable;
import dev.sluice.proxy.digest.Digester;
import dev.sluice.proxy.stats.SlowQueryLog;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.IdentityHashMap;

/**
 * Watches a session's client commands from start to answer, for the process-wide {@link StatementStats}: the command
 * counted by type as it starts; at its end the latency by server group, the ERR by code and origin, the digest row
 * (statements only: COM_QUERY, and COM_STMT_EXECUTE by its prepared text) and the slow query log. One per session, on
 * its event loop; nothing here blocks or takes a lock but the digest row's.
 */
final class StatementObserver {
    private static final FastThreadLocal<Digester> DIGESTERS = new FastThreadLocal<>() {
        @Override
        protected Digester initialValue() {
            return new Digester();
        }
    };
    /** Prepared texts whose digest rows a session keeps at hand. */
    private static final int PREPARED_CACHE = 64;

    private final StatementStats stats;
    private final long session;

    private boolean active;
    private long start;
    private Command command;
    private DigestEntry entry;
    private String user;
    private String schema;
    private long affected;
    private int warnings;
    private int errorCode;

    private String lastGroup;
    private DistributionDataPoint latency;
    private IdentityHashMap<byte[], DigestEntry> preparedEntries;

    StatementObserver(StatementStats stats, long session) {
        this.stats = stats;
        this.session = session;
    }

    /**
     * A client command starts ({@code payload} its bytes, the command byte first; {@code preparedText} the text of the
     * prepared statement a COM_STMT_EXECUTE runs, null otherwise).
     */
    void begin(
            Command started,
            ByteBuf payload,
            String userName,
            String database,
            byte[] preparedText,
            boolean noBackslashEscapes) {
        stats.command(started.code());
        if (!started.hasResponse()) {
            return;
        }
        active = true;
        start = System.nanoTime();
        command = started;
        user = userName;
        schema = database;
        affected = 0;
        warnings = 0;
        errorCode = 0;
        entry = null;
        DigestTable digests = stats.digests();
        if (digests == null) {
            return;
        }
        if (started == Command.COM_QUERY) {
            int from = payload.readerIndex() + 1;
            int to = payload.writerIndex();
            Digester digester = DIGESTERS.get();
            long digest = digester.digest(payload, from, to, noBackslashEscapes);
            entry = digests.entry(
                    digest,
                    userName,
                    database,
                    () -> digester.normalise(payload, from, to, noBackslashEscapes)
                            .text());
        } else if (started == Command.COM_STMT_EXECUTE && preparedText != null) {
            entry = preparedEntry(digests, preparedText, noBackslashEscapes);
        }
    }

    private DigestEntry preparedEntry(DigestTable digests, byte[] text, boolean noBackslashEscapes) {
        if (preparedEntries == null) {
            preparedEntries = new IdentityHashMap<>();
        }
        DigestEntry cached = preparedEntries.get(text);
        if (cached != null && !cached.folded() && cached.isFor(user, schema)) {
            return cached;
        }
        if (preparedEntries.size() >= PREPARED_CACHE) {
            preparedEntries.clear();
        }
        ByteBuf buf = Unpooled.wrappedBuffer(text);
        Digester digester = DIGESTERS.get();
        long digest = digester.digest(buf, 0, text.length, noBackslashEscapes);
        DigestEntry found = digests.entry(
                digest,
                user,
                schema,
                () -> digester.normalise(buf, 0, text.length, noBackslashEscapes)
                        .text());
        preparedEntries.put(text, found);
        return found;
    }

    /** An OK or result end of the server's answer (one per statement of a multi-statement text). */
    void ok(long affectedRows, int warningCount) {
        affected += affectedRows;
        warnings += warningCount;
    }

    /** The client received an ERR composed by {@code origin}. */
    void error(int code, StatementStats.Origin origin) {
        stats.error(code, origin);
        if (active) {
            errorCode = code;
        }
    }

    boolean active() {
        return active;
    }

    /** The command that began goes back to the queue for another connection: it will begin again. */
    void requeued() {
        if (active) {
            active = false;
            stats.uncount(command.code());
        }
    }

    /**
     * The command's answer is complete ({@code rows} rows relayed); {@code server} and {@code group} answered it, null
     * when Sluice did.
     */
    void end(long rows, String server, String group) {
        if (!active) {
            return;
        }
        active = false;
        long nanos = System.nanoTime() - start;
        String g = group == null ? "" : group;
        if (!g.equals(lastGroup)) {
            lastGroup = g;
            latency = stats.latency(g);
        }
        latency.observe(nanos / 1e9);
        boolean failed = errorCode != 0;
        if (entry != null) {
            stats.digests().record(entry, nanos, rows, affected, warnings, failed, group);
        }
        SlowQueryLog slow = stats.slowLog();
        if (slow != null && slow.isSlow(nanos)) {
            slow.write(new SlowQueryLog.Entry(
                    session,
                    entry == null ? null : entry.hex(),
                    entry == null ? null : entry.text(),
                    user,
                    schema,
                    server,
                    group,
                    command.name(),
                    nanos,
                    rows,
                    affected,
                    errorCode));
        }
        entry = null;
    }

    /** The command now running and since when ({@link System#nanoTime}); null when none. */
    Command running() {
        return active ? command : null;
    }

    long startedNanos() {
        return start;
    }
}
