package dev.sluice.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The memory benchmark of bench/memory.sh (issue 4): one large result (2.1 GB by default, made by the sequence engine,
 * no table) streamed directly (throughput reference), through Sluice to a fast client, and through Sluice to a client
 * paced at a fixed rate, while the Sluice JVM's memory is read over JMX (see {@link SluiceJvm}). Every figure is
 * relative to Sluice idle: after start, one login and one small query, and a full GC.
 *
 * <p>Heap: the peak of what the collections that ran during the stream left behind (young collections leave old-gen
 * garbage in, so this overstates), and the live set from one full GC forced half-way through the stream. Direct: the
 * JDK's direct buffer pool, sampled every 50 ms. RSS: /proc, sampled likewise. During the paced stream a timeline
 * shows the client's progress against the server's (the server's Bytes_sent status counter): the gap between them
 * is what sits in Sluice and the socket buffers, and stays flat when backpressure works.
 */
public final class MemoryBench {
    private static final double MIB = 1024.0 * 1024.0;

    private record Idle(long heap, long direct, long rss) {}

    private record Row(
            String scenario,
            StreamClient.Result result,
            String heapPeak,
            String heapLive,
            String direct,
            String sum,
            String rss) {}

    private MemoryBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String host = "127.0.0.1";
        int sluicePort = args.integer("sluice-port");
        int directPort = args.integer("direct-port");
        String user = args.get("user");
        String password = args.get("password");
        long rows = args.number("rows", 2_100_000);
        int width = (int) args.number("width", 1000);
        long slowRate = args.number("slow-mbps", 30) * 1_000_000;
        Path notes = Path.of(args.get("notes", "/dev/null"));
        String sql = "SELECT seq, REPEAT('x', " + width + ") FROM seq_1_to_" + rows;
        PrintStream out = System.out;

        try (SluiceJvm jvm = SluiceJvm.attach(args.integer("jmx-port"), args.number("pid", -1))) {
            Idle started = idle(jvm);
            // warm-up: class loading and JIT compilation of the streaming path are start-up costs, not the stream's
            // (the C2 compiler's malloc arenas alone grow RSS by ~20 MiB); the allocator gives its chunks back after
            long warmUpRows = Math.min(rows, 200_000);
            try (Connection c = StreamClient.connect(host, sluicePort, user, password)) {
                StreamClient.stream(c, "SELECT seq, REPEAT('x', " + width + ") FROM seq_1_to_" + warmUpRows, 0, null);
            }
            Idle idle = idle(jvm);
            out.printf(
                    "sluice after start: heap live %.1f MiB, direct %.1f MiB, RSS %.1f MiB%n",
                    started.heap / MIB, started.direct / MIB, started.rss / MIB);
            StringBuilder record = new StringBuilder("== native memory, idle\n").append(jvm.nativeMemorySummary());
            out.printf(
                    "sluice idle (after a warm-up of %d rows): heap live %.1f MiB, direct %.1f MiB, RSS %.1f MiB%n",
                    warmUpRows, idle.heap / MIB, idle.direct / MIB, idle.rss / MIB);
            out.printf("query: %s%n", sql);

            List<Row> table = new ArrayList<>();
            try (Connection c = StreamClient.connect(host, directPort, user, password)) {
                StreamClient.Result r = StreamClient.stream(c, sql, 0, null);
                table.add(new Row("direct, fast client", r, "-", "-", "-", "-", "-"));
                out.printf("direct: %s%n", describe(r));
            }
            table.add(measured(
                    "Sluice, fast client",
                    jvm,
                    idle,
                    host,
                    sluicePort,
                    directPort,
                    user,
                    password,
                    sql,
                    0,
                    rows * width,
                    out));
            record.append("\n== native memory, after the fast stream\n").append(jvm.nativeMemorySummary());
            table.add(measured(
                    String.format("Sluice, slow client (%d MB/s)", slowRate / 1_000_000),
                    jvm,
                    idle,
                    host,
                    sluicePort,
                    directPort,
                    user,
                    password,
                    sql,
                    slowRate,
                    rows * width,
                    out));
            record.append("\n== native memory, after the slow stream\n").append(jvm.nativeMemorySummary());
            Idle after = idle(jvm);
            out.printf(
                    "sluice idle again: heap live %+.1f MiB, direct %+.1f MiB, RSS %+.1f MiB (against idle"
                            + " before)%n",
                    (after.heap - idle.heap) / MIB, (after.direct - idle.direct) / MIB, (after.rss - idle.rss) / MIB);
            Files.writeString(notes, record.toString());

            out.println();
            out.printf(
                    "| %-30s | %9s | %9s | %7s | %7s | %14s | %11s | %9s | %13s | %9s |%n",
                    "scenario",
                    "rows",
                    "MB",
                    "s",
                    "MB/s",
                    "heap after GC",
                    "live heap",
                    "direct",
                    "heap + direct",
                    "RSS");
            out.printf(
                    "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%n",
                    "-".repeat(32),
                    "-".repeat(11),
                    "-".repeat(11),
                    "-".repeat(9),
                    "-".repeat(9),
                    "-".repeat(16),
                    "-".repeat(13),
                    "-".repeat(11),
                    "-".repeat(15),
                    "-".repeat(11));
            for (Row row : table) {
                StreamClient.Result r = row.result;
                out.printf(
                        "| %-30s | %9d | %9.1f | %7.1f | %7.1f | %14s | %11s | %9s | %13s | %9s |%n",
                        row.scenario,
                        r.rows(),
                        r.bytes() / 1e6,
                        r.seconds(),
                        r.megabytesPerSecond(),
                        row.heapPeak,
                        row.heapLive,
                        row.direct,
                        row.sum,
                        row.rss);
            }
            out.println("(memory: maximum during the stream minus Sluice idle. heap after GC: largest heap any"
                    + " collection"
                    + " left, old-gen garbage included; live heap: full GC half-way; heap + direct: the two maxima"
                    + " added, the issue's 64 MiB target; MB = 10^6 bytes of column values)");
        }
    }

    private static Idle idle(SluiceJvm jvm) throws IOException {
        jvm.heapAfterFullGc();
        return new Idle(jvm.heapAfterFullGc(), jvm.directUsed(), jvm.rss());
    }

    private static Row measured(
            String scenario,
            SluiceJvm jvm,
            Idle idle,
            String host,
            int sluicePort,
            int directPort,
            String user,
            String password,
            String sql,
            long rate,
            long approxBytes,
            PrintStream out)
            throws Exception {
        AtomicLong clientWire = new AtomicLong();
        AtomicLong maxDirect = new AtomicLong(jvm.directUsed());
        AtomicLong maxRss = new AtomicLong(jvm.rss());
        long[] liveMid = {-1};
        List<String> timeline = new ArrayList<>();
        jvm.resetPeak();
        long collectionsBefore = jvm.collections();
        try (Connection monitor = StreamClient.connect(host, directPort, user, password);
                Connection c = StreamClient.connect(host, sluicePort, user, password)) {
            long serverBefore = bytesSent(monitor);
            long started = System.nanoTime();
            Thread sampler = new Thread(
                    () -> {
                        long nextLine = 0;
                        while (!Thread.currentThread().isInterrupted()) {
                            try {
                                long direct = jvm.directUsed();
                                long rss = jvm.rss();
                                maxDirect.accumulateAndGet(direct, Math::max);
                                maxRss.accumulateAndGet(rss, Math::max);
                                long t = System.nanoTime() - started;
                                if (rate > 0 && t >= nextLine) {
                                    nextLine += TimeUnit.SECONDS.toNanos(5);
                                    long client = clientWire.get();
                                    long server = bytesSent(monitor) - serverBefore;
                                    timeline.add(String.format(
                                            "  %5.1f s  client %8.1f MB  server sent %8.1f MB  gap %6.1f MB"
                                                    + "  Sluice direct %+6.1f MiB  RSS %+6.1f MiB",
                                            t / 1e9,
                                            client / 1e6,
                                            server / 1e6,
                                            (server - client) / 1e6,
                                            (direct - idle.direct) / MIB,
                                            (rss - idle.rss) / MIB));
                                }
                            } catch (Exception e) {
                                if (!Thread.currentThread().isInterrupted()) {
                                    timeline.add("  sampler: " + e);
                                }
                                return;
                            }
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                        }
                    },
                    "sampler");
            sampler.setDaemon(true);
            sampler.start();
            StreamClient.Result r;
            try {
                r = StreamClient.stream(c, sql, rate, (bytes, wire) -> {
                    clientWire.set(wire);
                    if (liveMid[0] < 0 && bytes >= approxBytes / 2) {
                        liveMid[0] = jvm.heapAfterFullGc();
                    }
                });
            } finally {
                sampler.interrupt();
                sampler.join();
            }
            long peak = Math.max(jvm.peakHeapAfterGc(), liveMid[0]);
            out.printf("%s: %s; %d collections%n", scenario, describe(r), jvm.collections() - collectionsBefore);
            if (!timeline.isEmpty()) {
                out.println("  timeline (client read and server sent: wire bytes; server sent = MariaDB's"
                        + " Bytes_sent, all"
                        + " sessions; gap = server sent - client read = in Sluice and in socket buffers):");
                timeline.forEach(out::println);
            }
            long heapGrowth = Math.max(0, peak - idle.heap);
            long directGrowth = Math.max(0, maxDirect.get() - idle.direct);
            return new Row(
                    scenario,
                    r,
                    mib(peak - idle.heap),
                    mib(liveMid[0] - idle.heap),
                    mib(maxDirect.get() - idle.direct),
                    mib(heapGrowth + directGrowth),
                    mib(maxRss.get() - idle.rss));
        }
    }

    private static long bytesSent(Connection monitor) throws Exception {
        try (Statement s = monitor.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Bytes_sent'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static String describe(StreamClient.Result r) {
        return String.format(
                "%d rows, %.1f MB in %.1f s, %.1f MB/s, %.0f rows/s",
                r.rows(), r.bytes() / 1e6, r.seconds(), r.megabytesPerSecond(), r.rowsPerSecond());
    }

    private static String mib(long bytes) {
        return String.format("%+.1f MiB", bytes / MIB);
    }
}
