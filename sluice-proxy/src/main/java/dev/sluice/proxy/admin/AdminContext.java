package dev.sluice.proxy.admin;

import dev.sluice.proxy.ops.ProxyMetrics;
import dev.sluice.proxy.session.ProxyContext;
import java.util.function.Supplier;

/**
 * What the admin commands and the {@code /api} tables read and act on: the running proxy, its metrics, and the
 * application's reloader (null when none was set).
 */
public record AdminContext(ProxyContext proxy, ProxyMetrics metrics, Supplier<ConfigReloader> reloader) {}
