package dev.sluice.proxy.admin;

/**
 * Re-reads the configuration and applies it ({@code RELOAD CONFIG}). The application supplies it (see
 * {@code ProxyServer.reloadSource}, which SIGHUP uses too); without one, RELOAD CONFIG answers that it is not available.
 */
@FunctionalInterface
public interface ConfigReloader {
    /** Runs on the admin interface's thread; should not take long. */
    ReloadResult reload();

    /**
     * @param ok whether the new configuration is in effect
     * @param message what changed, or why nothing did (file:line, key)
     */
    record ReloadResult(boolean ok, String message) {}
}
