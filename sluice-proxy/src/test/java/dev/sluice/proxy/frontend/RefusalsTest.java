package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class RefusalsTest {
    /** ERR 1040 framed as the first packet of a connection, in place of the greeting. */
    private static final byte[] TOO_MANY = {
        0x1d,
        0x00,
        0x00, // payload length 29
        0x00, // sequence id 0
        (byte) 0xff, // ERR
        0x10,
        0x04, // 1040
        '#',
        '0',
        '8',
        '0',
        '0',
        '4', // SQLSTATE 08004
        'T',
        'o',
        'o',
        ' ',
        'm',
        'a',
        'n',
        'y',
        ' ',
        'c',
        'o',
        'n',
        'n',
        'e',
        'c',
        't',
        'i',
        'o',
        'n',
        's'
    };

    @Test
    void tooManyConnectionsOnABareChannel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Refusals.refuseTooManyConnections(ch);
        assertThat(written(ch)).containsExactly(TOO_MANY);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void tooManyConnectionsPastAnInstalledEncoder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new dev.sluice.protocol.wire.PacketEncoder(new PacketSequence()));
        Refusals.refuseTooManyConnections(ch);
        assertThat(written(ch)).as("framed once, not twice").containsExactly(TOO_MANY);
        assertThat(ch.isOpen()).isFalse();
    }

    private static byte[] written(EmbeddedChannel ch) {
        ByteBuf b = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(b);
        assertThat(b.release()).isTrue();
        assertThat((Object) ch.readOutbound()).isNull();
        return bytes;
    }
}
