package dev.sluice.proxy.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.validate.Direction;
import dev.sluice.protocol.validate.Rule;
import dev.sluice.protocol.validate.Violation;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.proxy.config.ValidateConfig;
import dev.sluice.proxy.config.ValidateConfig.Mode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The validator on a channel: what a violation does there (the counter, the user event and the channel attribute
 * captures rely on; under enforce the ERR and the close), and nothing at all under {@code validate: off}.
 */
class LinkValidationTest {
    private static final long CAPS = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS;

    private final List<Object> events = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }
    });
    private final ViolationCounts counts = new ViolationCounts();

    @Test
    void aViolationIsCountedFiredAsAUserEventAndKeptOnTheChannel() {
        FrameTap tap = LinkValidation.install(channel, new ValidateConfig(Mode.OBSERVE), 1 << 24, counts);
        loggedIn(tap);
        assertThat(tap.read(bytes(0x0E), 0)).isTrue(); // COM_PING
        assertThat(tap.written(bytes(0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01), 1))
                .isTrue(); // info 0x01
        assertThat(events).isEmpty(); // fired after the tap call, on the event loop
        channel.runPendingTasks();

        Violation v = channel.attr(LinkValidation.KEY).get().violation();
        assertThat(v.rule()).isEqualTo(Rule.FIELD);
        assertThat(v.command()).isEqualTo("COM_PING");
        assertThat(events).containsExactly(v);
        assertThat(counts.count(Direction.TO_CLIENT, Rule.FIELD)).isEqualTo(1);
        assertThat(counts.total()).isEqualTo(1);
        assertThat(channel.isActive()).isTrue(); // observe: the link goes on
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void enforceWithholdsThePacketAndEndsTheLinkWithAnErrNamingTheRule() {
        FrameTap tap = LinkValidation.install(channel, new ValidateConfig(Mode.ENFORCE), 1 << 24, counts);
        loggedIn(tap);
        tap.read(bytes(0x0E), 0);
        assertThat(tap.written(bytes(0xFE, 0x00, 0x00, 0x02, 0x00), 1)).isFalse(); // an EOF answering COM_PING
        channel.runPendingTasks();

        ByteBuf out = channel.readOutbound();
        ErrPacket err = ErrPacket.decode(out, CAPS);
        out.release();
        assertThat(err.errorCode()).isEqualTo(1835);
        assertThat(err.sqlState()).isEqualTo("08S01");
        assertThat(err.message()).contains("rule structure", "to_client", "COM_PING packet 1");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void offAddsNothing() {
        assertThat(LinkValidation.install(channel, new ValidateConfig(Mode.OFF), 1 << 24, counts))
                .isNull();
        assertThat(channel.attr(LinkValidation.KEY).get()).isNull();
    }

    private static void loggedIn(FrameTap tap) {
        tap.written(
                bytes(b ->
                        new HandshakeV10("10.11.0", 5, new byte[20], CAPS, 45, 2, "mysql_native_password").encode(b)),
                0);
        tap.read(
                bytes(b -> new HandshakeResponse41(CAPS, 1 << 24, 45, "u", new byte[20], null, null, List.of(), 0)
                        .encode(b)),
                1);
        tap.written(bytes(b -> OkPacket.of(0, 0, 2, 0).encode(b, CAPS)), 2);
    }

    private static ByteBuf bytes(int... values) {
        return bytes(b -> {
            for (int v : values) {
                b.writeByte(v);
            }
        });
    }

    private static ByteBuf bytes(Consumer<ByteBuf> payload) {
        ByteBuf b = Unpooled.buffer();
        payload.accept(b);
        return b;
    }
}
