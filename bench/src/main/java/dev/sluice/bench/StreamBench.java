package dev.sluice.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming throughput of bench/stream.sh: the same full read of a table with Connector/J in streaming mode, through
 * each target in turn (the first is the reference, e.g. {@code direct:3306,sluice:3307}), A/B interleaved in one run
 * so that machine noise hits every target alike: after one unmeasured warm-up read per target, rounds of one read per
 * target whose order alternates (A B, B A, A B, ...). Prints every read, the medians and the ratios to the reference:
 * ratio of the medians, and the median of the per-round ratios.
 */
public final class StreamBench {
    private record Target(String name, int port) {}

    private StreamBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        List<Target> targets = new ArrayList<>();
        for (String t : args.get("targets").split(",")) {
            String[] nameAndPort = t.split(":");
            targets.add(new Target(nameAndPort[0], Integer.parseInt(nameAndPort[1])));
        }
        String user = args.get("user");
        String password = args.get("password");
        String sql = args.get("sql");
        int rounds = (int) args.number("rounds", 5);
        PrintStream out = System.out;

        out.printf("query: %s; %d rounds after a warm-up, order alternating%n", sql, rounds);
        for (Target t : targets) {
            StreamClient.Result r = read(t, user, password, sql);
            out.printf("warm-up %-8s %s%n", t.name, describe(r));
        }
        Map<String, List<StreamClient.Result>> results = new LinkedHashMap<>();
        targets.forEach(t -> results.put(t.name, new ArrayList<>()));
        List<List<Double>> roundRatios = new ArrayList<>();
        targets.forEach(t -> roundRatios.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            List<Target> order = new ArrayList<>(targets);
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            Map<String, StreamClient.Result> thisRound = new LinkedHashMap<>();
            for (Target t : order) {
                StreamClient.Result r = read(t, user, password, sql);
                thisRound.put(t.name, r);
                results.get(t.name).add(r);
                out.printf("round %d %-8s %s%n", round + 1, t.name, describe(r));
            }
            double reference = thisRound.get(targets.get(0).name).rowsPerSecond();
            for (int i = 0; i < targets.size(); i++) {
                roundRatios.get(i).add(thisRound.get(targets.get(i).name).rowsPerSecond() / reference);
            }
        }

        out.println();
        out.printf("| %-8s | %5s | %12s | %10s | %17s | %17s | %18s |%n", "target", "reads", "rows/s (med)",
                "MB/s (med)", "MB/s (min..max)", "ratio of medians", "median round ratio");
        out.printf("|%s|%s|%s|%s|%s|%s|%s|%n", "-".repeat(10), "-".repeat(7), "-".repeat(14), "-".repeat(12),
                "-".repeat(19), "-".repeat(19), "-".repeat(20));
        double referenceRows = median(results.get(targets.get(0).name), StreamClient.Result::rowsPerSecond);
        for (int i = 0; i < targets.size(); i++) {
            List<StreamClient.Result> rs = results.get(targets.get(i).name);
            double rows = median(rs, StreamClient.Result::rowsPerSecond);
            double mb = median(rs, StreamClient.Result::megabytesPerSecond);
            double min = rs.stream().mapToDouble(StreamClient.Result::megabytesPerSecond).min().orElse(0);
            double max = rs.stream().mapToDouble(StreamClient.Result::megabytesPerSecond).max().orElse(0);
            out.printf("| %-8s | %5d | %12.0f | %10.1f | %7.1f..%-8.1f | %17.3f | %18.3f |%n", targets.get(i).name,
                    rs.size(), rows, mb, min, max, rows / referenceRows, median(roundRatios.get(i)));
        }
        out.println("(MB = 10^6 bytes of column values; ratios are rows/s against " + targets.get(0).name + ")");
    }

    private static StreamClient.Result read(Target t, String user, String password, String sql) throws Exception {
        try (Connection c = StreamClient.connect("127.0.0.1", t.port, user, password)) {
            return StreamClient.stream(c, sql, 0, null);
        }
    }

    private static double median(List<StreamClient.Result> results, java.util.function.ToDoubleFunction<StreamClient.Result> f) {
        return median(results.stream().map(f::applyAsDouble).toList());
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String describe(StreamClient.Result r) {
        return String.format("%d rows, %.1f MB in %.2f s: %.0f rows/s, %.1f MB/s", r.rows(), r.bytes() / 1e6,
                r.seconds(), r.rowsPerSecond(), r.megabytesPerSecond());
    }
}
