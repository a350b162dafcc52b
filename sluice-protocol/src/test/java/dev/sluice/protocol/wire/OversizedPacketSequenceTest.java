package dev.sluice.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.golden.Hex;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * A packet refused for its length still counts in the sequence, so the ERR refusing it carries the next id.
 * Found through Sluice: the ERR 1153 for an oversized command went out with id 0 (the client expects 1 and
 * reports "packets out of order" instead of the error).
 */
class OversizedPacketSequenceTest {

    @Test
    void commandModeAnswerToAnOversizedCommandCarriesIdOne() {
        PacketSequence sequence = new PacketSequence();
        sequence.commandMode();
        sequence.beginResponse(7); // a previous response left the outbound counter elsewhere
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 1024));
        // length ff ff ff (16 MiB - 1), sequence id 00: a new command, far above the maximum
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("ff ff ff 00"))))
                .cause()
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("packet length: 16777215");

        sequence.respondToLastInbound();

        assertThat(sequence.stampOutbound()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void exchangeModeCountsTheOversizedPacket() {
        PacketSequence sequence = new PacketSequence();
        assertThat(sequence.stampOutbound()).isZero(); // e.g. the greeting
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 1024));
        // length 01 10 00 (4097 > 1024), sequence id 01: the expected id
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("01 10 00 01"))))
                .cause()
                .hasMessageStartingWith("packet length: 4097");

        sequence.respondToLastInbound();

        assertThat(sequence.stampOutbound()).isEqualTo(2);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aWrongIdIsReportedBeforeTheLength() {
        PacketSequence sequence = new PacketSequence();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 1024));
        // "GET " read as a header: length 0x544547, sequence id 0x20
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("47 45 54 20"))))
                .cause()
                .isInstanceOf(ProtocolException.class)
                .hasMessage("sequence id: got 32 (expected: 0)");
        assertThat(channel.finish()).isFalse();
    }
}
