package dev.sluice.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP reloads the configuration ({@link ConfigReloads}); a failure in the reload is logged, never fatal. */
final class ReloadSignal {
    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {}

    static void install(ConfigReloads reloads) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                log.info("SIGHUP: reloading the configuration");
                try {
                    reloads.reload();
                } catch (RuntimeException e) {
                    log.error("configuration not reloaded: internal error", e);
                }
            });
        } catch (IllegalArgumentException e) {
            log.debug("cannot handle SIGHUP: {}", e.getMessage());
        }
    }
}
