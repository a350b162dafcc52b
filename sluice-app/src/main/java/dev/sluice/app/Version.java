package dev.sluice.app;

import dev.sluice.proxy.BuildVersion;
import picocli.CommandLine.IVersionProvider;

/** The version stamped into the jar by the build (sluice-version.properties, filtered by Maven). */
public final class Version implements IVersionProvider {
    public static String get() {
        return BuildVersion.get();
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "sluice " + get(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
