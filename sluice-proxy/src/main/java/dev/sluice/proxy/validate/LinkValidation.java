package dev.sluice.proxy.validate;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.validate.Direction;
import dev.sluice.protocol.validate.LinkValidator;
import dev.sluice.protocol.validate.Rule;
import dev.sluice.protocol.validate.Violation;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.config.ValidateConfig;
import dev.sluice.proxy.session.ProxyErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strict validator on one client link (docs/VALIDATION.md): the {@link LinkValidator} the link's codecs tap, what
 * happens when it reports (one log line on {@code dev.sluice.validate}, the counter, and under {@code enforce} an ERR
 * and the close), and the hooks through which the session reports what it sees on the server's side.
 *
 * <p>Others learn of a violation in two ways: the channel attribute {@link #KEY} (its {@link #violation()}, null until
 * one), and a {@link Violation} user event fired through the client channel's pipeline once it is reported (after the
 * tap call, on the event loop; before the enforce ERR is written), e.g. for a capture to be written.
 */
public final class LinkValidation {
    /** The validation of a client channel; absent when {@code validate: off}. */
    public static final AttributeKey<LinkValidation> KEY = AttributeKey.valueOf("sluice.link-validation");

    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.validate");
    private static final Pattern SEQUENCE = Pattern.compile("sequence id: got (\\d+) \\(expected: (\\d+)\\)");

    private final Channel channel;
    private final LinkValidator validator;
    private final ViolationCounts counts;
    /** Told of this link's violation, after the log and the count (the session captures' on-error trigger); or null. */
    private final Consumer<Channel> onViolation;

    private PacketSequence sequence;
    /** The session's own ERR tells the client (a breach on the server's side, or a framing error of the client). */
    private boolean sessionAnswers;

    private LinkValidation(
            Channel channel,
            ValidateConfig config,
            int maxPacket,
            ViolationCounts counts,
            Consumer<Channel> onViolation) {
        this.channel = channel;
        this.counts = counts;
        this.onViolation = onViolation;
        this.validator = new LinkValidator(
                String.valueOf(channel.remoteAddress()),
                maxPacket,
                config.mode() == ValidateConfig.Mode.ENFORCE,
                this::violated,
                this::faulted);
    }

    /** The tap validating a new client link, or null under {@code validate: off} (then nothing is added at all). */
    public static FrameTap install(Channel channel, ValidateConfig config, int maxPacket, ViolationCounts counts) {
        return install(channel, config, maxPacket, counts, null);
    }

    /** As {@link #install(Channel, ValidateConfig, int, ViolationCounts)}; {@code onViolation} (or null) is told. */
    public static FrameTap install(
            Channel channel,
            ValidateConfig config,
            int maxPacket,
            ViolationCounts counts,
            Consumer<Channel> onViolation) {
        if (config.mode() == ValidateConfig.Mode.OFF) {
            return null;
        }
        LinkValidation validation = new LinkValidation(channel, config, maxPacket, counts, onViolation);
        channel.attr(KEY).set(validation);
        return validation.validator;
    }

    /** The client is logged in: its session id, and the sequence an ERR answering a withheld command is stamped from. */
    public static void loggedIn(Channel channel, long sessionId, PacketSequence sequence) {
        LinkValidation v = channel.attr(KEY).get();
        if (v != null) {
            v.validator.sessionId(sessionId);
            v.sequence = sequence;
        }
    }

    /** The violation reported on this link, or null. */
    public Violation violation() {
        return validator.violation();
    }

    // ---- the session's hooks (server side, and the client's framing errors) -----------------------------------

    /**
     * The server connection of the session on {@code client} failed with {@code cause} (a framing error such as a
     * sequence gap, or a response the session could not follow): reported; returns the violation, or null when
     * nothing was reported (not a protocol error, validation off, or reported before).
     */
    public static Violation serverFailure(Channel client, Throwable cause) {
        if (!(cause instanceof ProtocolException)) {
            return null;
        }
        String message = cause.getMessage();
        Matcher m = SEQUENCE.matcher(message);
        if (m.find()) {
            return server(client, Rule.SEQUENCE, "sequence id " + m.group(2), "sequence id " + m.group(1), null);
        } else if (message.startsWith("packet length")) {
            return server(client, Rule.MAX_PACKET, "a packet within the maximum packet size", message, null);
        }
        return server(client, Rule.STRUCTURE, "a response the protocol allows", message, null);
    }

    /** The server sent {@code payload} with no command outstanding: the violation reported, or null. */
    public static Violation unsolicited(Channel client, String described, ByteBuf payload) {
        return server(client, Rule.UNSOLICITED, "no packet (no command is outstanding)", described, payload);
    }

    /** The response stalled until server-read-timeout ended it; returns the ERR detail with the violation named. */
    public static String stalled(Channel client, long limitMillis, long rows, String what) {
        LinkValidation lv = client.attr(KEY).get();
        if (lv == null || !lv.validator.responseStarted()) {
            return what; // a statement still running when the deadline passed breaks no rule of the protocol
        }
        String outstanding = lv.validator.outstanding();
        Violation v = server(
                client,
                Rule.STALLED,
                "the rest of the response within server-read-timeout " + limitMillis + " ms",
                "nothing more after " + rows + " rows" + (outstanding == null ? "" : " (" + outstanding + ")"),
                null);
        return v == null ? what : what + "; " + v.errorMessage();
    }

    /** The client's framing broke (a sequence gap, an oversized packet): the decoder refused it before the tap. */
    public static void clientFailure(Channel client, ProtocolException cause) {
        LinkValidation lv = client.attr(KEY).get();
        if (lv == null || lv.validator.violation() != null) {
            return;
        }
        String message = cause.getMessage();
        Matcher m = SEQUENCE.matcher(message);
        lv.sessionAnswers = true;
        if (m.find()) {
            lv.validator.clientViolation(Rule.SEQUENCE, "sequence id " + m.group(2), "sequence id " + m.group(1));
        } else if (message.startsWith("packet length")) {
            lv.validator.clientViolation(Rule.MAX_PACKET, "a packet within max-packet-size", message);
        } else {
            lv.validator.clientViolation(Rule.STRUCTURE, "a packet the protocol allows", message);
        }
        lv.validator.releaseOne(); // the session's ERR
    }

    private static Violation server(Channel client, Rule rule, String expected, String found, ByteBuf payload) {
        LinkValidation lv = client.attr(KEY).get();
        if (lv == null) {
            return null;
        }
        lv.sessionAnswers = true;
        Violation v = lv.validator.serverViolation(rule, -1, -1, expected, found, payload);
        lv.validator.releaseOne(); // whatever the session writes next is its ERR
        return v;
    }

    /** Whether the session on {@code client} runs under {@code validate: enforce}. */
    public static boolean enforcing(Channel client) {
        LinkValidation lv = client.attr(KEY).get();
        return lv != null && lv.validator.enforcing();
    }

    // ---- a violation reported ------------------------------------------------------------------------------

    private void violated(Violation v) {
        LOG.warn(v.logLine());
        counts.add(v);
        if (onViolation != null) {
            onViolation.accept(channel);
        }
        boolean answer = validator.enforcing() && !sessionAnswers;
        channel.eventLoop().execute(() -> {
            channel.pipeline().fireUserEventTriggered(v);
            if (answer && channel.isActive()) {
                endWithErr(v);
            }
        });
    }

    /** The validator's own bug: it stopped checking this link, which goes on unvalidated. */
    private void faulted(RuntimeException e) {
        counts.fault();
        LOG.error("validator fault on {} (it stops checking this link; please report)", channel.remoteAddress(), e);
    }

    /** enforce: the client hears what was violated, then the connection closes. */
    private void endWithErr(Violation v) {
        if (sequence != null && v.direction() == Direction.FROM_CLIENT) {
            sequence.respondToLastInbound(); // the withheld command's answer
        }
        ByteBuf buf = channel.alloc().buffer();
        long caps = validator.capabilities();
        ProxyErrors.malformed(v.errorMessage())
                .encode(buf, caps == 0 ? Capability.CLIENT_PROTOCOL_41 : caps); // before the login: a 4.1 ERR
        validator.releaseOne();
        channel.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
    }
}
