package dev.sluice.proxy.ops;

import dev.sluice.backend.topology.TopologyChange;
import dev.sluice.protocol.Command;
import dev.sluice.proxy.routing.Router;
import dev.sluice.proxy.stats.StatementStats;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/**
 * The metrics of what sessions do ({@link StatementStats}): commands by type, statement latency by group, errors by
 * code and origin, bytes, deadlines, client connections accepted and refused; of failovers ({@link Router}); and of
 * memory (the JVM's, and Netty's direct memory). Registered into {@link ProxyMetrics}' registry.
 */
final class StatementMetrics {
    private StatementMetrics() {}

    static void register(PrometheusRegistry registry, StatementStats stats, Router router) {
        registry.register(stats.latencyHistogram());
        CounterWithCallback.builder()
                .name("sluice_commands_total")
                .help("Client commands started, by command (COM_QUERY, COM_STMT_EXECUTE, ...)")
                .labelNames("command")
                .callback(cb -> {
                    for (Command c : Command.values()) {
                        long n = stats.commands(c);
                        if (n > 0) {
                            cb.call(n, c.name());
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_errors_total")
                .help("ERR packets clients received, by error code and by who composed them (server or sluice)")
                .labelNames("code", "origin")
                .callback(cb -> stats.forEachError((code, origin, n) -> cb.call(n, code, origin.label())))
                .register(registry);
        counter(registry, "sluice_client_received_bytes", "Bytes received from clients", stats::bytesFromClients);
        counter(registry, "sluice_client_sent_bytes", "Bytes sent to clients", stats::bytesToClients);
        CounterWithCallback.builder()
                .name("sluice_deadlines_total")
                .help("Sessions ended by a deadline, by its setting")
                .labelNames("kind")
                .callback(cb -> {
                    for (StatementStats.Deadline d : StatementStats.Deadline.values()) {
                        cb.call(stats.deadlines(d), d.label());
                    }
                })
                .register(registry);
        counter(
                registry,
                "sluice_client_connections_accepted",
                "Client connections accepted (before their login)",
                stats::acceptedCount);
        CounterWithCallback.builder()
                .name("sluice_client_connections_refused_total")
                .help("Client connections refused before their login, by reason")
                .labelNames("reason")
                .callback(cb -> {
                    for (StatementStats.Refusal r : StatementStats.Refusal.values()) {
                        cb.call(stats.refusedCount(r), r.label());
                    }
                })
                .register(registry);

        CounterWithCallback.builder()
                .name("sluice_client_logins_failed_total")
                .help("Client logins that failed, by the ERR code the client got (none: it got none: it left, a"
                        + " deadline passed, TLS failed)")
                .labelNames("code")
                .callback(cb -> stats.forEachLoginFailure((code, n) -> cb.call(n, code)))
                .register(registry);

        counter(
                registry,
                "sluice_writer_moves",
                "Times the writer moved to another server (failovers and switchovers)",
                router::writerMoves);
        CounterWithCallback.builder()
                .name("sluice_writer_waits_total")
                .help("Statements that needed a writer while there was none, by outcome: buffered (entered the"
                        + " failover buffer), refused (buffer full or off), timed_out (no writer in time)")
                .labelNames("outcome")
                .callback(cb -> {
                    cb.call(router.writerWaitsBuffered(), "buffered");
                    cb.call(router.writerWaitsRefused(), "refused");
                    cb.call(router.writerWaitsTimedOut(), "timed_out");
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_topology_changes_total")
                .help("Server state changes the topology monitor saw, by kind (all 0 without a monitor)")
                .labelNames("change")
                .callback(cb -> {
                    for (TopologyChange c : TopologyChange.values()) {
                        cb.call(router.topologyChanges(c), c.name().toLowerCase(java.util.Locale.ROOT));
                    }
                })
                .register(registry);

        GaugeWithCallback.builder()
                .name("sluice_netty_direct_memory_bytes")
                .help("Direct memory Netty holds (its own count, or the pooled allocator's when that is unavailable)")
                .callback(cb -> cb.call(directMemory()))
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    private static double directMemory() {
        long used = PlatformDependent.usedDirectMemory();
        if (used >= 0) {
            return used;
        }
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            return p.metric().usedDirectMemory();
        }
        return 0;
    }

    private static void counter(PrometheusRegistry registry, String name, String help, LongSupplier value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call(value.getAsLong()))
                .register(registry);
    }
}
