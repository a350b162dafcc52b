package dev.sluice.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The Sluice JVM's memory, seen from outside over JMX (the process runs with
 * {@code -Dcom.sun.management.jmxremote.port} on 127.0.0.1) and /proc. Three figures, each chosen because it does not
 * depend on when a GC happens to run:
 *
 * <ul>
 *   <li><b>heap after GC</b>: every collection's own report of what was left in the heap pools
 *       (GarbageCollectionNotificationInfo), collected from notifications, plus on demand a full GC (MemoryMXBean.gc())
 *       whose result is the live set. Heap "used" read at a random moment is mostly garbage and says nothing.</li>
 *   <li><b>direct</b>: the JDK's "direct" buffer pool (BufferPoolMXBean). Netty 4.2 on JDK 17 without
 *       {@code --add-opens} allocates its direct memory (the adaptive allocator's chunks, unpooled buffers) with
 *       ByteBuffer.allocateDirect, so this counts all of it, exactly, at the moment it is read.</li>
 *   <li><b>RSS</b>: VmRSS from /proc/PID/status, the catch-all (heap pages touched, direct memory, metaspace, code
 *       cache, thread stacks, native library allocations).</li>
 * </ul>
 *
 * With {@code -XX:NativeMemoryTracking=summary} the JVM's own breakdown ({@link #nativeMemorySummary()}) is there
 * for the record.
 */
final class SluiceJvm implements AutoCloseable {
    private final long pid;
    private final JMXConnector connector;
    private final MBeanServerConnection mbs;
    private final MemoryMXBean memory;
    private final BufferPoolMXBean direct;
    private final Set<String> heapPools;
    private final AtomicLong peakHeapAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();

    private SluiceJvm(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        this.mbs = connector.getMBeanServerConnection();
        this.memory =
                ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        this.direct = ManagementFactory.getPlatformMXBeans(mbs, BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no direct buffer pool in the Sluice JVM"));
        this.heapPools = ManagementFactory.getPlatformMXBeans(mbs, MemoryPoolMXBean.class).stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        try {
            ObjectName collectors = new ObjectName(ManagementFactory.GARBAGE_COLLECTOR_MXBEAN_DOMAIN_TYPE + ",*");
            for (ObjectName gc : mbs.queryNames(collectors, null)) {
                mbs.addNotificationListener(gc, (n, handback) -> onGc(n), null, null);
            }
        } catch (Exception e) {
            throw new IOException("cannot listen to the Sluice JVM's collections: " + e.getMessage(), e);
        }
    }

    static SluiceJvm attach(int jmxPort, long pid) throws IOException {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        return new SluiceJvm(pid, JMXConnectorFactory.connect(url, Map.of()));
    }

    private void onGc(Notification n) {
        if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long after = 0;
        for (Map.Entry<String, MemoryUsage> pool :
                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                after += pool.getValue().getUsed();
            }
        }
        collections.incrementAndGet();
        peakHeapAfterGc.accumulateAndGet(after, Math::max);
    }

    /** Forces a full collection in the Sluice JVM and returns the heap still in use: the live set. */
    long heapAfterFullGc() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** The largest heap-after-collection reported since the last reset (young collections include old-gen garbage). */
    long peakHeapAfterGc() {
        return peakHeapAfterGc.get();
    }

    long collections() {
        return collections.get();
    }

    void resetPeak() {
        peakHeapAfterGc.set(0);
    }

    long directUsed() {
        return direct.getMemoryUsed();
    }

    long directCapacity() {
        return direct.getTotalCapacity();
    }

    /** Resident set size in bytes, from /proc/PID/status. */
    long rss() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        for (String line : lines) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.trim().split("\\s+");
                return Long.parseLong(f[1]) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** {@code jcmd PID VM.native_memory summary}, through the DiagnosticCommand MBean (no extra process). */
    String nativeMemorySummary() {
        try {
            return (String) mbs.invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmNativeMemory",
                    new Object[] {new String[] {"summary"}},
                    new String[] {String[].class.getName()});
        } catch (Exception e) {
            return "native memory tracking not available: " + e.getMessage();
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
