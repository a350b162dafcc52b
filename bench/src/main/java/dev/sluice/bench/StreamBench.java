package dev.sluice.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Streaming throughput of bench/stream.sh: the same full read of a table with Connector/J in streaming mode, through
 * each target in turn (the first is the reference, e.g. {@code direct:3306,sluice:3307}), A/B interleaved in one run
 * so that machine noise hits every target alike: after unmeasured warm-up reads of every target, rounds of one read
 * per target whose order alternates (A B, B A, A B, ...). Prints every read, the medians and the ratios to the
 * reference (ratio of the medians, and the median of the per-round ratios), and the CPU time each watched process
 * (e.g. mariadbd, Sluice, this client) used per read, from /proc.
 */
public final class StreamBench {
    /** {@code params}: more of the JDBC URL for this target (e.g. useCompression=true), or empty. */
    private record Target(String name, int port, String params) {}

    private record Read(StreamClient.Result result, Map<String, Double> cpu) {
        double rowsPerSecond() {
            return result.rowsPerSecond();
        }

        double megabytesPerSecond() {
            return result.megabytesPerSecond();
        }
    }

    private StreamBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        List<Target> targets = new ArrayList<>();
        for (String t : args.get("targets").split(",")) {
            // name:port, or name:port:params (JDBC URL parameters for this target, e.g. useCompression=true)
            String[] parts = t.split(":", 3);
            targets.add(new Target(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : ""));
        }
        Map<String, Long> watched = new LinkedHashMap<>();
        for (String p : args.get("cpu", "").split(",")) {
            if (!p.isBlank()) {
                String[] nameAndPid = p.split(":");
                watched.put(nameAndPid[0], Long.parseLong(nameAndPid[1]));
            }
        }
        watched.put("client", ProcessHandle.current().pid());
        long ticks = args.number("clk-tck", 100);
        String user = args.get("user");
        String password = args.get("password");
        String sql = args.get("sql");
        int warmups = (int) args.number("warmups", 2);
        int rounds = (int) args.number("rounds", 7);
        PrintStream out = System.out;
        // optional: every measured read appended to a file for bench/matrix.sh (case target round metric value)
        String raw = args.get("raw", "");
        String rawCase = args.get("raw-case", "stream-jdbc");

        out.printf("query: %s; %d warm-up reads per target, then %d rounds, order alternating%n", sql, warmups, rounds);
        for (int i = 0; i < warmups; i++) {
            for (Target t : targets) {
                out.printf("warm-up %-8s %s%n", t.name, describe(read(t, user, password, sql, watched, ticks)));
            }
        }
        Map<String, List<Read>> results = new LinkedHashMap<>();
        targets.forEach(t -> results.put(t.name, new ArrayList<>()));
        Map<String, List<Double>> roundRatios = new LinkedHashMap<>();
        targets.forEach(t -> roundRatios.put(t.name, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            List<Target> order = new ArrayList<>(targets);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            Map<String, Read> thisRound = new LinkedHashMap<>();
            for (Target t : order) {
                Read r = read(t, user, password, sql, watched, ticks);
                thisRound.put(t.name, r);
                results.get(t.name).add(r);
                out.printf("round %d %-8s %s%n", round + 1, t.name, describe(r));
                if (!raw.isEmpty()) {
                    StringBuilder lines = new StringBuilder();
                    String prefix = rawCase + "\t" + t.name + "\t" + (round + 1) + "\t";
                    lines.append(prefix)
                            .append("rows/s\t")
                            .append(r.rowsPerSecond())
                            .append('\n');
                    lines.append(prefix)
                            .append("MB/s\t")
                            .append(r.megabytesPerSecond())
                            .append('\n');
                    // the CPU of the proxy this read went through (a watched process named like the target)
                    if (r.cpu.containsKey(t.name)) {
                        lines.append(prefix)
                                .append("proxy CPU s/read\t")
                                .append(r.cpu.get(t.name))
                                .append('\n');
                    }
                    java.nio.file.Files.writeString(
                            java.nio.file.Path.of(raw),
                            lines,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                }
            }
            double reference = thisRound.get(targets.get(0).name).rowsPerSecond();
            targets.forEach(
                    t -> roundRatios.get(t.name).add(thisRound.get(t.name).rowsPerSecond() / reference));
        }

        out.println();
        StringBuilder header = new StringBuilder(String.format(
                "| %-8s | %5s | %12s | %10s | %15s | %16s | %18s |",
                "target",
                "reads",
                "rows/s (med)",
                "MB/s (med)",
                "MB/s (min..max)",
                "ratio of medians",
                "median round ratio"));
        StringBuilder rule = new StringBuilder(String.format(
                "|%s|%s|%s|%s|%s|%s|%s|",
                "-".repeat(10),
                "-".repeat(7),
                "-".repeat(14),
                "-".repeat(12),
                "-".repeat(17),
                "-".repeat(18),
                "-".repeat(20)));
        for (String p : watched.keySet()) {
            String h = p + " CPU s/read";
            header.append(String.format(" %s |", h));
            rule.append("-".repeat(h.length() + 2)).append('|');
        }
        out.println(header);
        out.println(rule);
        double referenceRows = median(results.get(targets.get(0).name), Read::rowsPerSecond);
        for (Target t : targets) {
            List<Read> rs = results.get(t.name);
            double rows = median(rs, Read::rowsPerSecond);
            StringBuilder line = new StringBuilder(String.format(
                    "| %-8s | %5d | %12.0f | %10.1f | %15s | %16.3f | %18.3f |",
                    t.name,
                    rs.size(),
                    rows,
                    median(rs, Read::megabytesPerSecond),
                    String.format("%.1f..%.1f", min(rs), max(rs)),
                    rows / referenceRows,
                    median(roundRatios.get(t.name))));
            for (String p : watched.keySet()) {
                String h = p + " CPU s/read";
                line.append(String.format(" %" + h.length() + ".2f |", median(rs, r -> r.cpu.get(p))));
            }
            out.println(line);
        }
        out.println("(MB = 10^6 bytes of column values; ratios are rows/s against " + targets.get(0).name
                + "; CPU: user + system seconds from /proc, median per read)");
    }

    private static Read read(Target t, String user, String password, String sql, Map<String, Long> watched, long ticks)
            throws Exception {
        try (Connection c = StreamClient.connect("127.0.0.1", t.port, t.params, user, password)) {
            Map<String, Double> before = cpu(watched, ticks);
            StreamClient.Result r = StreamClient.stream(c, sql, 0, null);
            Map<String, Double> after = cpu(watched, ticks);
            Map<String, Double> used = new LinkedHashMap<>();
            before.forEach((p, s) -> used.put(p, after.get(p) - s));
            return new Read(r, used);
        }
    }

    private static Map<String, Double> cpu(Map<String, Long> watched, long ticks) {
        Map<String, Double> m = new LinkedHashMap<>();
        watched.forEach((name, pid) -> m.put(name, ProcessCpu.seconds(pid, ticks)));
        return m;
    }

    private static double median(List<Read> reads, ToDoubleFunction<Read> f) {
        return median(reads.stream().map(f::applyAsDouble).toList());
    }

    private static double min(List<Read> reads) {
        return reads.stream().mapToDouble(Read::megabytesPerSecond).min().orElse(Double.NaN);
    }

    private static double max(List<Read> reads) {
        return reads.stream().mapToDouble(Read::megabytesPerSecond).max().orElse(Double.NaN);
    }

    static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String describe(Read read) {
        StreamClient.Result r = read.result;
        StringBuilder cpu = new StringBuilder();
        read.cpu.forEach((p, s) -> cpu.append(String.format(", %s %.2f s", p, s)));
        return String.format(
                "%d rows, %.1f MB in %.2f s: %.0f rows/s, %.1f MB/s; CPU%s",
                r.rows(), r.bytes() / 1e6, r.seconds(), r.rowsPerSecond(), r.megabytesPerSecond(), cpu.substring(1));
    }
}
