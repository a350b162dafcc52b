package dev.sluice.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version stamped into the application's jar by the build ({@code sluice-version.properties}, filtered by Maven
 * in sluice-app); {@code unknown} when that file is not on the class path (the proxy's own tests).
 */
public final class BuildVersion {
    private BuildVersion() {}

    public static String get() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("/sluice-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
