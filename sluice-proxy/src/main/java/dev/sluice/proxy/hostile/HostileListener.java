package dev.sluice.proxy.hostile;

import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.proxy.config.HostileConfig;
import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hostile listener's faults for each connection it accepts (docs/HOSTILE.md): before the connection's codecs
 * are in place, {@link #install} puts the {@link HostileWriter} (and, with a delay, {@link DelayedReads}) next to the
 * socket and gives back the {@link HostileTap} the codecs show every packet to. Each connection draws its choices
 * from the seed and its ordinal (0 for the first accepted, then 1, 2, ...), so a run repeats with the same seed. A
 * client may choose its own faults at login ({@link ClientChoice}: a connection attribute, or its user name); they
 * replace the configured ones from the login on.
 */
public final class HostileListener {
    private static final Logger LOG = LoggerFactory.getLogger(HostileListener.class);

    private final HostileConfig config;
    private final AtomicLong ordinals = new AtomicLong();

    public HostileListener(HostileConfig config) {
        this.config = config;
    }

    /** The loud line at start: where, which seed, every fault. */
    public void warnAtStart(String address) {
        LOG.warn(
                "HOSTILE listener on {}: every client there gets faults on purpose (seed {}): {}. For testing drivers"
                        + " only, never for applications (docs/HOSTILE.md)",
                address,
                config.seed(),
                config.faults().stream().map(Fault::toString).collect(Collectors.joining(", ")));
    }

    /**
     * Puts the faults on a newly accepted channel, before the codecs (which must be added after these, with
     * {@code addLast}): returns the tap to show them every packet.
     */
    public FrameTap install(Channel channel) {
        long ordinal = ordinals.getAndIncrement();
        Plan plan = new Plan(config.seed(), ordinal, config.faults());
        DelayedReads reads = new DelayedReads(plan);
        HostileWriter writer = new HostileWriter(plan);
        channel.pipeline().addLast("hostile-reads", reads);
        channel.pipeline().addLast("hostile-writes", writer);
        LOG.debug("hostile connection {} from {} (seed {})", ordinal, channel.remoteAddress(), config.seed());
        return new HostileTap(channel, writer, config.faults(), chosen -> {
            Plan next = new Plan(config.seed(), ordinal, chosen);
            reads.plan(next);
            writer.plan(next);
            LOG.info(
                    "hostile connection {} from {} chose its faults: {}",
                    ordinal,
                    channel.remoteAddress(),
                    chosen.stream().map(Fault::toString).collect(Collectors.joining(", ")));
        });
    }
}
