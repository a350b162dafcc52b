package dev.sluice.proxy.stats;

import dev.sluice.protocol.Command;
import dev.sluice.proxy.digest.DigestTable;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the proxy's sessions did, process-wide: commands by type, statements and their latency by server group,
 * errors by code and origin, bytes each way, and the {@link DigestTable} (null when digests are off). Sessions add to
 * it as their commands end ({@code session.StatementObserver}); metrics, the admin interface and the status page read
 * it. Every label value comes from a bounded set: command names, configured groups, and at most {@link #MAX_CODES}
 * error codes per origin (further ones count as {@code other}).
 */
public final class StatementStats {
    /** Where an ERR a client received was composed. */
    public enum Origin {
        SERVER("server"),
        SLUICE("sluice");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Deadlines a session hit, by the setting that set them. */
    public enum Deadline {
        SERVER_READ("server-read-timeout"),
        CLIENT_WRITE("client-write-timeout"),
        CLIENT_IDLE("client-idle-timeout");

        private final String label;

        Deadline(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Why a client connection was refused before its login. */
    public enum Refusal {
        CONNECTION_LIMIT("connection-limit"),
        SERVER_UNAVAILABLE("server-unavailable");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    static final int MAX_CODES = 200;
    public static final String OTHER_CODE = "other";

    private final LongAdder[] commands = new LongAdder[256];
    private final ConcurrentHashMap<String, LongAdder> serverErrors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> sluiceErrors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> loginFailures = new ConcurrentHashMap<>();
    private final LongAdder[] deadlines = new LongAdder[Deadline.values().length];
    private final LongAdder accepted = new LongAdder();
    private final LongAdder[] refused = new LongAdder[Refusal.values().length];
    private final LongAdder bytesFromClients = new LongAdder();
    private final LongAdder bytesToClients = new LongAdder();
    private final Histogram latency;
    private final DigestTable digests;
    private final SlowQueryLog slowLog;

    /**
     * @param digests the digest table; null when digests are off
     * @param slowLog the slow query log; null when it is off
     */
    public StatementStats(DigestTable digests, SlowQueryLog slowLog) {
        for (int i = 0; i < commands.length; i++) {
            commands[i] = new LongAdder();
        }
        for (int i = 0; i < deadlines.length; i++) {
            deadlines[i] = new LongAdder();
        }
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
        this.digests = digests;
        this.slowLog = slowLog;
        this.latency = Histogram.builder()
                .name("sluice_statement_duration_seconds")
                .help("Client commands answered, by the server group that answered them ('' when Sluice answered"
                        + " itself): time from the command's start to the last byte of its answer")
                .labelNames("group")
                .classicOnly()
                .classicUpperBounds(
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .build();
    }

    /** Counts a command of type {@code code} as it starts. */
    public void command(int code) {
        commands[code & 0xFF].increment();
    }

    /** Takes back a count of {@link #command} (the command was put back to start again). */
    public void uncount(int code) {
        commands[code & 0xFF].decrement();
    }

    public long commands(Command command) {
        return commands[command.code()].sum();
    }

    /** The latency histogram's data point for {@code group} (sessions keep it while their group stays the same). */
    public DistributionDataPoint latency(String group) {
        return latency.labelValues(group);
    }

    /** The histogram, for the registry that exposes it. */
    public Histogram latencyHistogram() {
        return latency;
    }

    /** An ERR with {@code code} reached a client. */
    public void error(int code, Origin origin) {
        ConcurrentHashMap<String, LongAdder> byCode = origin == Origin.SERVER ? serverErrors : sluiceErrors;
        String label = Integer.toString(code);
        LongAdder n = byCode.get(label);
        if (n == null) {
            n = byCode.size() >= MAX_CODES
                    ? byCode.computeIfAbsent(OTHER_CODE, k -> new LongAdder())
                    : byCode.computeIfAbsent(label, k -> new LongAdder());
        }
        n.increment();
    }

    /** A client's login failed with ERR {@code code} (0: without an ERR: the client left, a deadline, TLS). */
    public void loginFailed(int code) {
        String label = code == 0 ? "none" : Integer.toString(code);
        LongAdder n = loginFailures.get(label);
        if (n == null) {
            n = loginFailures.size() >= MAX_CODES
                    ? loginFailures.computeIfAbsent(OTHER_CODE, k -> new LongAdder())
                    : loginFailures.computeIfAbsent(label, k -> new LongAdder());
        }
        n.increment();
    }

    /** Calls {@code each} with every (code, count) of failed logins so far. */
    public void forEachLoginFailure(java.util.function.ObjLongConsumer<String> each) {
        loginFailures.forEach((code, n) -> each.accept(code, n.sum()));
    }

    /** Calls {@code each} with every (code, origin, count) counted so far. */
    public void forEachError(ErrorVisitor each) {
        serverErrors.forEach((code, n) -> each.visit(code, Origin.SERVER, n.sum()));
        sluiceErrors.forEach((code, n) -> each.visit(code, Origin.SLUICE, n.sum()));
    }

    @FunctionalInterface
    public interface ErrorVisitor {
        void visit(String code, Origin origin, long count);
    }

    /** A client connection was accepted (before its login, whatever becomes of it). */
    public void accepted() {
        accepted.increment();
    }

    public long acceptedCount() {
        return accepted.sum();
    }

    /** A client connection was refused before its login. */
    public void refused(Refusal why) {
        refused[why.ordinal()].increment();
    }

    public long refusedCount(Refusal why) {
        return refused[why.ordinal()].sum();
    }

    /** A session hit {@code kind}. */
    public void deadline(Deadline kind) {
        deadlines[kind.ordinal()].increment();
    }

    public long deadlines(Deadline kind) {
        return deadlines[kind.ordinal()].sum();
    }

    public void bytes(long fromClient, long toClient) {
        if (fromClient != 0) {
            bytesFromClients.add(fromClient);
        }
        if (toClient != 0) {
            bytesToClients.add(toClient);
        }
    }

    public long bytesFromClients() {
        return bytesFromClients.sum();
    }

    public long bytesToClients() {
        return bytesToClients.sum();
    }

    /** The digest table; null when digests are off. */
    public DigestTable digests() {
        return digests;
    }

    /** The slow query log; null when it is off. */
    public SlowQueryLog slowLog() {
        return slowLog;
    }
}
