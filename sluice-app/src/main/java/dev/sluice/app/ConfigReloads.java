package dev.sluice.app;

import dev.sluice.app.config.ConfigException;
import dev.sluice.app.config.SluiceConfig;
import dev.sluice.proxy.ConfigReload;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads of the running configuration (SIGHUP; an admin's {@code RELOAD CONFIG} can call {@link #reload} too): the
 * configuration is built again exactly as at start (the same file, flags and {@code --set} overrides, in the same
 * order) and handed to the proxy, which applies it or refuses it whole (see {@link ConfigReload}). A file that does
 * not load changes nothing; its problems (file:line, key, what) are logged and returned. The application's own keys
 * (log-level, shutdown-timeout) are applied here.
 */
public final class ConfigReloads {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloads.class);

    private final Supplier<SluiceConfig> load;
    private final ProxyLauncher.Running proxy;
    private volatile SluiceConfig current;

    /** @param load builds the configuration as at start; throws {@link ConfigException} for an invalid one */
    ConfigReloads(Supplier<SluiceConfig> load, ProxyLauncher.Running proxy, SluiceConfig started) {
        this.load = load;
        this.proxy = proxy;
        this.current = started;
    }

    /** The configuration in force (the one started with, or the last reload applied). */
    public SluiceConfig current() {
        return current;
    }

    /** Reads the configuration again and applies it, or nothing; logs and returns the outcome. */
    public synchronized ConfigReload.Result reload() {
        SluiceConfig next;
        try {
            next = load.get();
        } catch (ConfigException e) {
            ConfigReload.Result refused = ConfigReload.Result.refused(
                    List.of(),
                    (e.problems().size() == 1
                                    ? "1 configuration error: "
                                    : e.problems().size() + " configuration errors: ")
                            + String.join("; ", e.problems()));
            log.warn(refused.describe());
            return refused;
        }
        ConfigReload.Result result = proxy.reload(next.proxy());
        if (!result.applied()) {
            return result;
        }
        List<String> own = new ArrayList<>();
        SluiceConfig before = current;
        if (!Objects.equals(before.logLevel(), next.logLevel())) {
            own.add("log-level");
            Logging.apply(next.logLevel());
        }
        if (!Objects.equals(before.shutdownTimeout(), next.shutdownTimeout())) {
            own.add("shutdown-timeout");
        }
        current = next;
        if (!own.isEmpty()) {
            log.info("configuration reloaded: {}", String.join(", ", own));
        }
        return result.with(own);
    }
}
