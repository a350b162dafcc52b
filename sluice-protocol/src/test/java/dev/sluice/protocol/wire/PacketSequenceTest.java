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

    @Test
    void commandModeAcceptsPipelinedCommandsWhileAResponseIsStamped() {
        PacketSequence seq = new PacketSequence();
        seq.commandMode();
        seq.checkInbound(0, true); // COM_STMT_PREPARE
        seq.beginResponse(0);
        assertThat(seq.stampOutbound()).isEqualTo(1); // PREPARE_OK
        seq.checkInbound(0, true); // COM_STMT_EXECUTE pipelined before the prepare response ended
        assertThat(seq.stampOutbound()).isEqualTo(2); // the prepare response goes on undisturbed
        assertThatThrownBy(() -> seq.checkInbound(3, true))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("sequence id: got 3 (expected: 0)");
    }

    @Test
    void commandModeContinuationsAndLocalInfileData() {
        PacketSequence seq = new PacketSequence();
        seq.commandMode();
        seq.checkInbound(0, true); // a 32 MiB COM_QUERY: three physical packets
        seq.checkInbound(1, false);
        seq.checkInbound(2, false);
        assertThatThrownBy(() -> seq.checkInbound(4, false)).isInstanceOf(ProtocolException.class);

        PacketSequence infile = new PacketSequence();
        infile.commandMode();
        infile.checkInbound(0, true); // LOAD DATA LOCAL INFILE
        infile.beginResponse(0);
        assertThat(infile.stampOutbound()).isEqualTo(1); // 0xFB request
        infile.expectClientData();
        infile.checkInbound(2, true); // file contents
        infile.checkInbound(3, true); // empty packet: end of file
        assertThatThrownBy(() -> infile.checkInbound(0, true)).isInstanceOf(ProtocolException.class);
        infile.endClientData();
        assertThat(infile.stampOutbound()).isEqualTo(4); // the server's OK
        infile.checkInbound(0, true); // the next command
    }
}
