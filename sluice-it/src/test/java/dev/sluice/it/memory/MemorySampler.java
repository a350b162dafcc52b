package dev.sluice.it.memory;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Netty's direct memory in this JVM, sampled every millisecond on a thread of its own while a stream runs.
 *
 * <p>The figure is {@link PlatformDependent#usedDirectMemory()}: Netty's own counter of every direct buffer it has
 * allocated and not yet freed, pooled arenas and chunks included (Netty 4.2 keeps it even where it lets the JDK's
 * Cleaner free buffers). It is exact at the moment it is read, so the maximum does not depend on GC timing. The
 * channels use {@link ByteBufAllocator#DEFAULT}, which in Netty 4.2 is the adaptive allocator, not {@code
 * PooledByteBufAllocator.DEFAULT} (whose metric stays at 0 here); its own metric is reported alongside.
 *
 * <p>Heap is not sampled here: heap "used" between collections is mostly garbage. {@link #heapAfterGc()} forces a
 * full collection and reads what survived, at moments the test chooses.
 */
public final class MemorySampler implements AutoCloseable {
    private final AtomicLong maxDirect = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public MemorySampler() {
        maxDirect.set(directUsed());
        thread = new Thread(this::run, "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            maxDirect.accumulateAndGet(directUsed(), Math::max);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    public long maxDirect() {
        maxDirect.accumulateAndGet(directUsed(), Math::max);
        return maxDirect.get();
    }

    public static long directUsed() {
        long used = PlatformDependent.usedDirectMemory();
        if (used < 0) {
            throw new IllegalStateException(
                    "Netty does not count its direct memory in this JVM (io.netty.maxDirectMemory=0?)");
        }
        return used;
    }

    /** What the default allocator itself reports as held in direct memory (its chunks). */
    public static long allocatorDirect() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory()
                : -1;
    }

    /** Heap still reachable after a full, stop-the-world collection (System.gc() is one under G1 by default). */
    public static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A byte count in MiB, one decimal, for reports. */
    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
