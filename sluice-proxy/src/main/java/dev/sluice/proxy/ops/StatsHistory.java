package dev.sluice.proxy.ops;

import dev.sluice.protocol.Command;
import dev.sluice.proxy.stats.StatementStats;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The last minutes of throughput for the status page's charts: every {@link #INTERVAL_SECONDS} seconds a sample of
 * the commands started, the ERRs sent and the client sessions open, kept for {@link #POINTS} samples (ten minutes).
 * Samples are taken on the HTTP listener's event loop; the page reads them as rates per second between samples.
 */
final class StatsHistory {
    static final int INTERVAL_SECONDS = 5;
    static final int POINTS = 120;

    private record Sample(long millis, long commands, long errors, int clients) {}

    private final StatementStats stats;
    private final IntSupplier clients;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>(POINTS + 1);

    StatsHistory(StatementStats stats, IntSupplier clients) {
        this.stats = stats;
        this.clients = clients;
    }

    /** Takes one sample now (the listener's timer calls this every interval). */
    synchronized void sample() {
        samples.addLast(take());
        while (samples.size() > POINTS + 1) {
            samples.removeFirst();
        }
    }

    /**
     * The history as JSON: {@code {"version":"…","interval_s":5,"points":[{"t":epochMillis,"commands_per_s":x,"errors_per_s":y,
     * "clients":n},...]}}, one point per pair of successive samples, oldest first.
     */
    synchronized String json(String version) {
        StringBuilder b = new StringBuilder(64 + samples.size() * 80);
        b.append("{\"version\":");
        dev.sluice.proxy.stats.Json.quote(b, version);
        b.append(",\"interval_s\":").append(INTERVAL_SECONDS).append(",\"points\":[");
        Sample previous = null;
        boolean first = true;
        java.util.List<Sample> all = new java.util.ArrayList<>(samples);
        Sample now = take();
        if (all.size() < 2 || now.millis() - all.get(all.size() - 1).millis() >= 1000) {
            all.add(now); // the latest point is up to now, not up to the last sample (and there is one from the start)
        }
        for (Sample s : all) {
            if (previous != null) {
                double seconds = Math.max(0.001, (s.millis() - previous.millis()) / 1000.0);
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append("{\"t\":").append(s.millis());
                b.append(",\"commands_per_s\":").append(rate(s.commands() - previous.commands(), seconds));
                b.append(",\"errors_per_s\":").append(rate(s.errors() - previous.errors(), seconds));
                b.append(",\"clients\":").append(s.clients()).append('}');
            }
            previous = s;
        }
        return b.append("]}").toString();
    }

    private Sample take() {
        long commands = 0;
        for (Command c : Command.values()) {
            commands += stats.commands(c);
        }
        long[] errors = {0};
        stats.forEachError((code, origin, n) -> errors[0] += n);
        return new Sample(System.currentTimeMillis(), commands, errors[0], clients.getAsInt());
    }

    private static String rate(long delta, double seconds) {
        return String.format(Locale.ROOT, "%.2f", Math.max(0, delta) / seconds);
    }
}
