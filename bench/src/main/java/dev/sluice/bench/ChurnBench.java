package dev.sluice.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Connection churn (issues 5 and 6): THREADS threads each open a Connector/J connection, run {@code SELECT 1} and
 * close it, CONNECTIONS times, as fast as they can. Prints one line per target, machine-readable:
 * {@code churn <target> <threads> <connections> <seconds> <connections/s> <client CPU seconds>} (the last: this
 * JVM's user + system time over the measured phase). Through Sluice with a warm pool the
 * server's handshake and authentication are not in the loop; a blind TCP proxy adds a hop to all of them.
 */
public final class ChurnBench {
    private ChurnBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String target = args.get("target");
        int port = args.integer("port");
        int threads = args.integer("threads");
        int perThread = args.integer("connections");
        int warmup = (int) args.number("warmup", 50);
        String user = args.get("user");
        String password = args.get("password");
        // warm-up: class loading, JIT, and (through Sluice) a pool with as many connections as threads
        run(port, user, password, threads, warmup);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long started = System.nanoTime();
        run(port, user, password, threads, perThread);
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        long total = (long) threads * perThread;
        System.out.printf("churn %s %d %d %.3f %.1f %.3f%n", target, threads, total, seconds, total / seconds, cpu);
    }

    private static void run(int port, String user, String password, int threads, int perThread) throws Exception {
        CountDownLatch done = new CountDownLatch(threads);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong ones = new AtomicLong();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < perThread && failure.get() == null; i++) {
                        try (Connection c = StreamClient.connect("127.0.0.1", port, user, password);
                                Statement s = c.createStatement();
                                ResultSet rs = s.executeQuery("SELECT 1")) {
                            rs.next();
                            ones.addAndGet(rs.getInt(1));
                        }
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
            th.start();
            started.add(th);
        }
        done.await();
        if (failure.get() != null) {
            throw failure.get();
        }
        if (ones.get() != (long) threads * perThread) {
            throw new IllegalStateException(
                    "SELECT 1 answered " + ones.get() + " times, expected " + (long) threads * perThread);
        }
    }
}
