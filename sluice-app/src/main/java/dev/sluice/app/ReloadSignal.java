package dev.sluice.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP reloads the configuration ({@link ConfigReloads}); a failure in the reload is logged, never fatal. */
final class ReloadSignal {
    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {}

    /**
     * Handles SIGHUP from now on, before the proxy runs (a SIGHUP the JVM handled itself would start its shutdown):
     * {@code reloads} gives what to reload, null until the proxy has started (a SIGHUP then is logged and ignored).
     */
    static void install(java.util.function.Supplier<ConfigReloads> reloads) {
        try {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                ConfigReloads target = reloads.get();
                if (target == null) {
                    log.info("SIGHUP before Sluice runs: ignored (nothing to reload yet)");
                    return;
                }
                log.info("SIGHUP: reloading the configuration");
                try {
                    target.reload();
                } catch (RuntimeException e) {
                    log.error("configuration not reloaded: internal error", e);
                }
            });
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // the JVM leaves a signal ignored at its start ignored (nohup): no SIGHUP will reach the handler
                log.warn(
                        "SIGHUP is ignored in this process (started with nohup?): it will not reload the configuration;"
                                + " use the admin interface's RELOAD CONFIG, or start Sluice without nohup");
            }
        } catch (IllegalArgumentException e) {
            log.debug("cannot handle SIGHUP: {}", e.getMessage());
        }
    }
}
