package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.SessionTracking.TrackerDefaults;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors captured from MariaDB 10.11.19: the OK a Sluice connection got (trackers on: schema,
 * state_change, system variables '*') and the OK a direct client got for the same statement. The end-to-end proof
 * against a live server is {@code OkRewriteDifferentialTest} in sluice-it.
 */
class OkRewriterTest {
    private static final String DEFAULT_LIST =
            "autocommit,character_set_client,character_set_connection,character_set_results,time_zone";
    /** The order MariaDB reports the default list's variables in (learned by the set-up's probe). */
    private static final List<String> DEFAULT_ORDER = List.of(
            "autocommit", "character_set_connection", "character_set_client", "time_zone", "character_set_results");

    private static final long TRACKING = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SESSION_TRACK;
    private static final ClientTrackerView DEFAULTS =
            ClientTrackerView.atLogin(TRACKING, new TrackerDefaults(true, false, DEFAULT_LIST, "OFF", DEFAULT_ORDER));
    private static final ClientTrackerView NO_TRACK = ClientTrackerView.atLogin(
            Capability.CLIENT_PROTOCOL_41, new TrackerDefaults(true, false, DEFAULT_LIST, "OFF", DEFAULT_ORDER));
    private static final ClientTrackerView EVERYTHING = DEFAULTS.withSessionValues(true, true, "*", "OFF", List.of());

    // SET NAMES latin1 on Sluice's connection: results, client, connection, then the state-change entry
    private static final String SLUICE_SET_NAMES = "000000024000000062001d156368617261637465725f7365745f726573756c"
            + "7473066c6174696e31001c146368617261637465725f7365745f636c69656e74066c6174696e310020186368617261637465"
            + "725f7365745f636f6e6e656374696f6e066c6174696e31020131";
    // the same directly, default trackers: connection, client, results
    private static final String DIRECT_SET_NAMES = "00000002400000005f0020186368617261637465725f7365745f636f6e6e65"
            + "6374696f6e066c6174696e31001c146368617261637465725f7365745f636c69656e74066c6174696e31001d1563686172616374"
            + "65725f7365745f726573756c7473066c6174696e31";
    private static final String SLUICE_SQL_MODE = "00000002c00000004a00450873716c5f6d6f64653b5245414c5f41535f464c4f"
            + "41542c50495045535f41535f434f4e4341542c414e53495f51554f5445532c49474e4f52455f53504143452c414e5349020131";
    private static final String SLUICE_USER_VARIABLE = "00000002c000000003020131";
    private static final String SLUICE_USE = "00000002c00000000b0106056f74686572020131";
    private static final String INSERT_WITH_INFO =
            "00020002800000265265636f7264733a203220204475706c6963617465733a203020205761726e696e67733a2030";

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
    }

    private static String rewrite(String hex, ClientTrackerView view) {
        ByteBuf in = hex(hex);
        ByteBuf out = OkRewriter.rewrite(in, view, UnpooledByteBufAllocator.DEFAULT);
        assertThat(in.readerIndex()).as("the server's buffer is not consumed").isZero();
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void variablesComeInTheOrderOfTheClientsList() {
        assertThat(rewrite(SLUICE_SET_NAMES, DEFAULTS)).isEqualTo(DIRECT_SET_NAMES);
    }

    @Test
    void aChangeTheClientDoesNotTrackLeavesNoStateBlockAndNoEmptyInfo() {
        // directly, sql_mode is not in the default list: no flag, no info byte
        assertThat(rewrite(SLUICE_SQL_MODE, DEFAULTS)).isEqualTo("00000002800000");
        assertThat(rewrite(SLUICE_USER_VARIABLE, DEFAULTS)).isEqualTo("00000002800000");
    }

    @Test
    void theSchemaStaysAndTheStateChangeEntryGoes() {
        assertThat(rewrite(SLUICE_USE, DEFAULTS)).isEqualTo("00000002c0000000080106056f74686572");
    }

    @Test
    void aClientWithoutSessionTrackGetsNeitherFlagNorStateButTheLengthEncodedInfo() {
        assertThat(rewrite(SLUICE_SET_NAMES, NO_TRACK)).isEqualTo("00000002000000");
        // MariaDB writes a non-empty info length-encoded to every client (captured without CLIENT_SESSION_TRACK)
        ByteBuf insert = hex(INSERT_WITH_INFO);
        assertThat(OkRewriter.rewrite(insert, NO_TRACK, UnpooledByteBufAllocator.DEFAULT))
                .isSameAs(insert);
    }

    @Test
    void anOkWithoutStateChangeIsTheSameBuffer() {
        for (String plain : List.of("00000002000000", "fe000002800000", INSERT_WITH_INFO)) {
            for (ClientTrackerView view : List.of(DEFAULTS, NO_TRACK, EVERYTHING)) {
                ByteBuf in = hex(plain);
                assertThat(OkRewriter.rewrite(in, view, UnpooledByteBufAllocator.DEFAULT))
                        .as(plain + " for " + view)
                        .isSameAs(in);
            }
        }
    }

    @Test
    void aClientThatTracksEverythingGetsTheServersBytes() {
        ByteBuf in = hex(SLUICE_SET_NAMES);
        assertThat(OkRewriter.rewrite(in, EVERYTHING, UnpooledByteBufAllocator.DEFAULT))
                .isSameAs(in);
        ClientTrackerView allButSchema = DEFAULTS.withSessionValues(false, true, "*", "OFF", List.of());
        assertThat(rewrite(SLUICE_USE, allButSchema)).isEqualTo("00000002c000000003020131");
    }

    @Test
    void theEofHeaderIsKept() {
        // SELECT ending with the 0xFE OK after SET NAMES in the same multi-statement: only the header differs
        String sluice = "fe" + SLUICE_SET_NAMES.substring(2);
        assertThat(rewrite(sluice, DEFAULTS)).isEqualTo("fe" + DIRECT_SET_NAMES.substring(2));
    }

    @Test
    void aTruncatedOkIsAProtocolError() {
        assertThatThrownBy(() -> rewrite("0000", DEFAULTS)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> rewrite("00000002400000ff", DEFAULTS)).isInstanceOf(ProtocolException.class);
    }
}
