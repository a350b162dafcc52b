package dev.sluice.backend.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link TopologyMonitor} polls.
 *
 * @param interval time from the start of one poll of a server to the start of the next (a poll that took longer is
 *     followed at once)
 * @param timeout the deadline of each step of a poll: the login, and the queries' answers
 * @param maxLag the lag limit used to log and count readers that fall behind ({@link ServerCondition#LAGGING});
 *     routing may ask {@link Topology#readers} with its own
 */
public record MonitorSettings(Duration interval, Duration timeout, Duration maxLag) {
    public MonitorSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(maxLag, "maxLag");
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("interval and timeout must be positive: " + interval + ", " + timeout);
        }
    }
}
