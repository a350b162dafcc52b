package dev.sluice.proxy.config;

import java.util.Locale;

/** What a {@link ServerGroup} is for: the writer group takes writes (and everything not known to be a read). */
public enum GroupRole {
    /** The servers that may be the writer; exactly one group has this role. */
    WRITER,
    /** Replicas that may serve reads. */
    READER;

    /** {@code writer} or {@code reader}, as the configuration spells it. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
