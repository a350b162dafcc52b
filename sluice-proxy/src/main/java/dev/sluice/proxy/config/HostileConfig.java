package dev.sluice.proxy.config;

import dev.sluice.proxy.hostile.Fault;
import java.util.List;
import java.util.Objects;

/**
 * The hostile listener ({@code hostile}, docs/HOSTILE.md): a listener of its own on which Sluice relays to the servers
 * like on the main one, but misbehaves towards clients as configured, reproducibly by seed. Off unless configured;
 * never on the main listeners.
 *
 * @param listen where it listens
 * @param seed what the per-connection choices (piece sizes, delays) derive from, with the connection's ordinal
 * @param faults what it does to every connection, in any combination (at most one that cuts or holds writes)
 */
public record HostileConfig(ListenerConfig listen, long seed, List<Fault> faults) {
    public HostileConfig {
        Objects.requireNonNull(listen, "listen");
        faults = List.copyOf(faults);
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("hostile.faults: at least one fault is required");
        }
        if (faults.stream().filter(Fault::segments).count() > 1) {
            throw new IllegalArgumentException(
                    "hostile.faults: at most one of split-bytes, split-random, coalesce, split-frames: " + faults);
        }
    }
}
