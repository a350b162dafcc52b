package dev.sluice.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class PacketSequenceTest {
    @Test
    void oneCounterForBothDirectionsResetByANewCommand() {
        PacketSequence seq = new PacketSequence();
        seq.checkInbound(0); // greeting
        assertThat(seq.stampOutbound()).isEqualTo(1); // handshake response
        seq.checkInbound(2); // OK
        seq.reset();
        assertThat(seq.nextExpected()).isZero();
        assertThat(seq.stampOutbound()).isZero();
        assertThatThrownBy(() -> seq.checkInbound(2))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("sequence id: got 2 (expected: 1)");
    }

    @Test
    void wraps() {
        PacketSequence seq = new PacketSequence();
        for (int i = 0; i < 255; i++) {
            seq.stampOutbound();
        }
        assertThat(seq.stampOutbound()).isEqualTo(255);
        assertThat(seq.nextExpected()).isZero();
        seq.checkInbound(0);
    }
}
