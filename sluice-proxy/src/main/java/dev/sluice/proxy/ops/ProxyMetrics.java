package dev.sluice.proxy.ops;

import dev.sluice.backend.pool.PoolStats;
import dev.sluice.backend.pool.Pools;
import dev.sluice.proxy.BuildVersion;
import dev.sluice.proxy.accounts.ServerAccounts;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.session.PinCounters;
import dev.sluice.proxy.session.PinReason;
import dev.sluice.proxy.session.ProxyContext;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The proxy's Prometheus metrics, in a registry of its own (not the library's default one, so that several proxies in
 * one JVM do not clash). Every value is read at scrape time from counters the proxy keeps anyway (callback metrics):
 * nothing is added to the relay's path. Label values come only from the configuration and fixed enums (groups,
 * servers, reasons), so the number of series is bounded. See docs/METRICS.md.
 */
public final class ProxyMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ProxyContext context;

    public ProxyMetrics(ProxyContext context, PinCounters pins) {
        this.context = context;
        // the servers configured now: a reload may add or remove some
        Supplier<List<String>> servers = () ->
                context.config().servers().stream().map(ServerConfig::name).toList();
        Pools pools = context.pools();

        GaugeWithCallback.builder()
                .name("sluice_client_connections")
                .help("Client sessions open now (logged in, not yet closed)")
                .callback(cb -> cb.call(context.registry().size()))
                .register(registry);

        CounterWithCallback.builder()
                .name("sluice_protocol_violations_total")
                .help("Protocol violations the strict validator reported, by direction and rule (docs/VALIDATION.md)")
                .labelNames("direction", "rule")
                .callback(cb -> {
                    for (dev.sluice.protocol.validate.Direction d : dev.sluice.protocol.validate.Direction.values()) {
                        for (dev.sluice.protocol.validate.Rule r : dev.sluice.protocol.validate.Rule.values()) {
                            cb.call(context.violations().count(d, r), d.label(), r.label());
                        }
                    }
                })
                .register(registry);

        CounterWithCallback.builder()
                .name("sluice_routing_decisions_total")
                .help("Routing decisions by server group, server and reason")
                .labelNames("group", "server", "reason")
                .callback(cb -> context.router()
                        .counters()
                        .forEach((group, server, reason, n) -> cb.call(n, group, server, reason.label())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_writer_wait_statements")
                .help("Statements waiting for a writer now (failover buffer)")
                .callback(cb -> cb.call(context.router().waitingForWriter()))
                .register(registry);

        CounterWithCallback.builder()
                .name("sluice_session_pins_total")
                .help("Pins started (a session kept on its server connection) by reason")
                .labelNames("reason")
                .callback(cb -> {
                    for (PinReason r : PinReason.values()) {
                        cb.call(pins.started(r), r.label());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_pinned_sessions_by_reason")
                .help("Sessions each reason pins now (a session pinned by two reasons counts in both)")
                .labelNames("reason")
                .callback(cb -> {
                    for (PinReason r : PinReason.values()) {
                        cb.call(pins.current(r), r.label());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_pinned_sessions")
                .help("Sessions pinned by at least one reason now")
                .callback(cb -> cb.call(pins.pinnedSessions()))
                .register(registry);

        GaugeWithCallback.builder()
                .name("sluice_server_connections")
                .help("Server connections open now (leased or idle), by server")
                .labelNames("server")
                .callback(cb -> servers.get().forEach(s -> cb.call(pools.openCount(s), s)))
                .register(registry);
        poolCounter(
                "sluice_pool_connections_created_total",
                "Server connections opened",
                servers,
                pools,
                PoolStats::createdCount);
        poolCounter(
                "sluice_pool_connection_failures_total",
                "Server connections that failed to open",
                servers,
                pools,
                PoolStats::createFailureCount);
        poolCounter(
                "sluice_pool_acquire_waits_total",
                "Leases that had to wait for a connection",
                servers,
                pools,
                PoolStats::acquireWaitCount);
        CounterWithCallback.builder()
                .name("sluice_pool_acquire_wait_seconds_total")
                .help("Time leases spent waiting for a connection, by server")
                .labelNames("server")
                .callback(cb ->
                        servers.get().forEach(s -> cb.call(pools.stats(s).acquireWaitNanos() / 1e9, s)))
                .register(registry);
        poolCounter(
                "sluice_pool_acquire_timeouts_total",
                "Leases that gave up after pool.acquire-timeout",
                servers,
                pools,
                PoolStats::acquireTimeoutCount);
        poolCounter(
                "sluice_pool_retries_total",
                "Statements sent again on another connection, nothing of them having reached a server",
                servers,
                pools,
                PoolStats::retryCount);

        GaugeWithCallback.builder()
                .name("sluice_server_connections_idle")
                .help("Server connections idle in the pools now, by server")
                .labelNames("server")
                .callback(cb -> servers.get().forEach(s -> cb.call(pools.idleCount(s), s)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_server_connections_leased")
                .help("Server connections leased to sessions now, by server")
                .labelNames("server")
                .callback(cb -> servers.get().forEach(s -> cb.call(pools.leasedCount(s), s)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_pool_waiting_clients")
                .help("Sessions waiting for a server connection now, by server")
                .labelNames("server")
                .callback(cb -> servers.get().forEach(s -> cb.call(pools.waitingCount(s), s)))
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_pool_connections_discarded_total")
                .help("Server connections closed by Sluice, by server and reason (stale: found dead or idle past the"
                        + " server's wait_timeout; cancelled: its client left mid-statement; ...)")
                .labelNames("server", "reason")
                .callback(cb -> servers.get().forEach(s -> {
                    for (PoolStats.DiscardReason r : PoolStats.DiscardReason.values()) {
                        cb.call(pools.stats(s).discardedCount(r), s, r.name().toLowerCase(java.util.Locale.ROOT));
                    }
                }))
                .register(registry);
        StatementMetrics.register(registry, context.stats(), context.router());
        if (context.accounts() != null) {
            accountMetrics(context.accounts());
        }
        if (context.captures() != null) {
            captureMetrics(context.captures());
        }

        Info.builder()
                .name("sluice_build_info")
                .help("Sluice's version")
                .labelNames("version")
                .register(registry)
                .setLabelValues(BuildVersion.get());
    }

    /** users-from-server: how many accounts are loaded, and how the loads went. */
    private void captureMetrics(dev.sluice.proxy.capture.Captures captures) {
        CounterWithCallback.builder()
                .name("sluice_captures_written_total")
                .help("Session captures written, by trigger (on-error, on-demand, continuous: sessions started)")
                .labelNames("trigger")
                .callback(cb -> {
                    cb.call(captures.onErrorWritten(), "on-error");
                    cb.call(captures.onDemandWritten(), "on-demand");
                    cb.call(captures.continuousStarted(), "continuous");
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_captures_refused_total")
                .help("Session captures refused, or continuous ones stopped, by the disk budget (capture.max-bytes)")
                .callback(cb -> cb.call(captures.refusedByBudget()))
                .register(registry);
    }

    private void accountMetrics(ServerAccounts accounts) {
        GaugeWithCallback.builder()
                .name("sluice_users_from_server_accounts")
                .help("Accounts loaded from the servers now (users-from-server)")
                .callback(cb -> cb.call(accounts.current().size()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_users_from_server_loads_total")
                .help("Loads of the servers' accounts, by result (ok, failed)")
                .labelNames("result")
                .callback(cb -> {
                    cb.call(accounts.loads(), "ok");
                    cb.call(accounts.failedLoads(), "failed");
                })
                .register(registry);
    }

    private void poolCounter(
            String name, String help, Supplier<List<String>> servers, Pools pools, ToLongFunction<PoolStats> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help + ", by server")
                .labelNames("server")
                .callback(cb -> servers.get().forEach(s -> cb.call(value.applyAsLong(pools.stats(s)), s)))
                .register(registry);
    }

    /** What the metrics are read from (the HTTP listener's other pages read it too). */
    ProxyContext context() {
        return context;
    }

    /** Every metric's current value. */
    public MetricSnapshots scrape() {
        return registry.scrape();
    }
}
