package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of bench/matrix.sh: reads its raw results (one measurement per line, tab-separated:
 * {@code case target round metric value}) and prints, per case and metric, the median of every target and the
 * ratios Sluice/direct, Sluice/HAProxy and HAProxy/direct, as a Markdown table. With target names after the file
 * ({@code MatrixReport RAW base other...}), the columns are those targets and the ratios of each other one to the
 * first (bench/idle.sh: the busy clients alone and with thousands of idle ones).
 */
public final class MatrixReport {
    private MatrixReport() {}

    public static void main(String[] args) throws IOException {
        // case -> metric -> target -> values, in the order first seen
        Map<String, Map<String, Map<String, List<Double>>>> all = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            double v = Double.parseDouble(f[4]);
            all.computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                    .computeIfAbsent(f[3], k -> new LinkedHashMap<>())
                    .computeIfAbsent(f[1], k -> new ArrayList<>())
                    .add(v);
        }
        if (args.length > 2) {
            printAgainstFirst(all, List.of(args).subList(1, args.length));
            return;
        }
        System.out.println(
                "| case | metric | n | direct | Sluice | HAProxy | Sluice/direct | Sluice/HAProxy | HAProxy/direct |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        all.forEach((kase, metrics) -> metrics.forEach((metric, targets) -> {
            double d = med(targets.get("direct"));
            double s = med(targets.get("sluice"));
            double h = med(targets.get("haproxy"));
            int n = targets.values().stream().mapToInt(List::size).max().orElse(0);
            System.out.printf(
                    "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n",
                    kase, metric, n, fmt(d), fmt(s), fmt(h), ratio(s, d), ratio(s, h), ratio(h, d));
        }));
    }

    private static void printAgainstFirst(
            Map<String, Map<String, Map<String, List<Double>>>> all, List<String> targets) {
        StringBuilder head = new StringBuilder("| case | metric | n |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (String t : targets) {
            head.append(' ').append(t).append(" |");
            rule.append("---|");
        }
        for (String t : targets.subList(1, targets.size())) {
            head.append(' ').append(t).append('/').append(targets.get(0)).append(" |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        all.forEach((kase, metrics) -> metrics.forEach((metric, values) -> {
            int n = values.values().stream().mapToInt(List::size).max().orElse(0);
            StringBuilder line = new StringBuilder("| " + kase + " | " + metric + " | " + n + " |");
            double base = med(values.get(targets.get(0)));
            for (String t : targets) {
                line.append(' ').append(fmt(med(values.get(t)))).append(" |");
            }
            for (String t : targets.subList(1, targets.size())) {
                line.append(' ').append(ratio(med(values.get(t)), base)).append(" |");
            }
            System.out.println(line);
        }));
    }

    private static double med(List<Double> values) {
        return values == null ? Double.NaN : StreamBench.median(values);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format("%.2f", a / b);
    }
}
