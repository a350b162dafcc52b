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
        try {
            faults = Fault.checkCombination(List.copyOf(faults));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hostile.faults: " + e.getMessage(), e);
        }
    }
}
