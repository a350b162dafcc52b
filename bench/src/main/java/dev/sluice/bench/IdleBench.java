package dev.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Idle client sessions through Sluice (issue 11: what thousands of mostly idle application connections cost). Opens
 * Connector/J connections in steps (e.g. 1000 then 5000 in all; each login runs the driver's own set-up queries, so
 * a session has been through a statement, as an application's pool connection has), leaves them idle, and at every
 * step prints Sluice's memory over the baseline with no client, per idle session:
 *
 * <ul>
 *   <li><b>heap after a full GC</b> (through JMX: MemoryMXBean.gc() and then the heap in use): the live objects the
 *       sessions hold, independent of when a collection last ran, which a heap figure read at a random moment is
 *       not (mostly garbage). {@code jcmd GC.heap_info} without a collection would have the same flaw;</li>
 *   <li><b>direct memory</b> (the JDK's direct buffer pool: Netty's buffers, see {@link SluiceJvm});</li>
 *   <li><b>RSS</b> (/proc): everything else too. Sluice runs with a fixed, pre-touched heap, so RSS growth is memory
 *       outside the heap (direct buffers, metaspace, code, native allocations).</li>
 * </ul>
 *
 * Then, with {@code --hold FILE}, it prints {@code ready} and keeps the sessions open while FILE exists (the script
 * runs sysbench meanwhile), then checks that every idle session still answers {@code SELECT 1} and prints how many did
 * not. Output lines: {@code idle step <clients> opened <n> failed <n> heap-after-gc <bytes> direct <bytes> rss <bytes>
 * per-client-heap <bytes> per-client-direct <bytes> per-client-rss <bytes>}, {@code ready <clients>}, {@code idle
 * check <clients> ok <n> failed <n> [first error]}.
 */
public final class IdleBench {
    /** Failed logins after which a step stops trying (and says so: opened + failed is less than the step). */
    private static final int GIVE_UP_AFTER = 50;

    /**
     * Clients that come and go before the baseline (classes, JIT, buffers). Few: in session mode each leaves an idle
     * server connection in Sluice's pool, which the baseline then holds and the first step's clients reuse.
     */
    private static final int WARM_UP = 20;

    private IdleBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int port = args.integer("port");
        String user = args.get("user");
        String password = args.get("password");
        String hold = args.get("hold", "");
        int threads = Integer.parseInt(args.get("threads", "8"));
        List<Integer> steps = new ArrayList<>();
        for (String s : args.get("clients").split(",")) {
            steps.add(Integer.parseInt(s.trim()));
        }
        List<Connection> open = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> firstError = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SluiceJvm sluice = SluiceJvm.attach(args.integer("jmx-port"), args.number("pid", 0))) {
            // warm-up: classes, JIT and buffers of a session's path, then all closed again
            List<Connection> warm = Collections.synchronizedList(new ArrayList<>());
            connect(pool, port, user, password, WARM_UP, warm, firstError);
            closeAll(warm);
            Thread.sleep(500);
            long heap0 = sluice.heapAfterFullGc();
            long direct0 = sluice.directUsed();
            long rss0 = sluice.rss();
            System.out.printf("idle baseline heap-after-gc %d direct %d rss %d%n", heap0, direct0, rss0);
            int failed = 0;
            for (int step : steps) {
                failed += connect(pool, port, user, password, step - open.size() - failed, open, firstError);
                Thread.sleep(500);
                long heap = sluice.heapAfterFullGc();
                long direct = sluice.directUsed();
                long rss = sluice.rss();
                int n = Math.max(1, open.size());
                System.out.printf(
                        "idle step %d opened %d failed %d heap-after-gc %d direct %d rss %d per-client-heap %d"
                                + " per-client-direct %d per-client-rss %d%s%n",
                        step,
                        open.size(),
                        failed,
                        heap,
                        direct,
                        rss,
                        (heap - heap0) / n,
                        (direct - direct0) / n,
                        (rss - rss0) / n,
                        firstError.get() == null ? "" : " first-error " + firstError.get());
            }
            if (!hold.isEmpty()) {
                System.out.printf("ready %d%n", open.size());
                System.out.flush();
                while (Files.exists(Path.of(hold))) {
                    Thread.sleep(100);
                }
            }
            check(pool, open);
        } finally {
            closeAll(open);
            pool.shutdownNow();
        }
    }

    /** Opens {@code count} connections on the pool's threads; returns how many failed (up to GIVE_UP_AFTER). */
    private static int connect(
            ExecutorService pool,
            int port,
            String user,
            String password,
            int count,
            List<Connection> into,
            AtomicReference<String> firstError)
            throws Exception {
        AtomicInteger failed = new AtomicInteger();
        List<Future<?>> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(pool.submit(() -> {
                if (failed.get() >= GIVE_UP_AFTER) {
                    return; // e.g. session mode on a small pool: each further login would wait out acquire-timeout
                }
                try {
                    into.add(StreamClient.connect("127.0.0.1", port, user, password));
                } catch (Exception e) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, e.getMessage());
                }
            }));
        }
        for (Future<?> f : tasks) {
            f.get();
        }
        return failed.get();
    }

    /** Every idle session runs SELECT 1; prints how many answered and the first failure. */
    private static void check(ExecutorService pool, List<Connection> open) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> first = new AtomicReference<>();
        List<Future<?>> tasks = new ArrayList<>();
        for (Connection c : List.copyOf(open)) {
            tasks.add(pool.submit(() -> {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT 1")) {
                    if (rs.next() && rs.getInt(1) == 1) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        first.compareAndSet(null, "SELECT 1 answered no 1");
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    first.compareAndSet(null, e.getMessage());
                }
            }));
        }
        for (Future<?> f : tasks) {
            f.get();
        }
        System.out.printf(
                "idle check %d ok %d failed %d%s%n",
                open.size(), ok.get(), failed.get(), first.get() == null ? "" : " first-error " + first.get());
    }

    private static void closeAll(List<Connection> connections) {
        for (Connection c : List.copyOf(connections)) {
            try {
                c.close();
            } catch (Exception e) {
                // closing at the end: nothing to do about it
            }
        }
        connections.clear();
    }
}
