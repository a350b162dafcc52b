package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which COM_QUERY texts name the session trackers (the client's own tracker settings are then handled apart). */
class TrackerNamesTest {
    private static final int UTF8MB4_GENERAL_CI = 45;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "SET session_track_schema=1|true",
                "set SESSION_TRACK_STATE_CHANGE = ON|true",
                "SELECT @@Session_Track_System_Variables|true",
                "SET autocommit=1, session_track_system_variables='autocommit'|true",
                "session_track_|true",
                "SELECT k_1, pad FROM sbtest1 WHERE id = 5|false",
                "SELECT session_trac FROM t|false",
                "SELECT sessiontrack_x|false",
                "SELECT 1 FROM session_tracks|false",
                "_track_schema|false",
                "SELECT c FROM t_|false",
            })
    void findsTheTrackerVariables(String text, boolean names) {
        SessionTracker tracker = new SessionTracker(0, UTF8MB4_GENERAL_CI, null);
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x03);
        payload.writeCharSequence(text, StandardCharsets.UTF_8);
        assertThat(tracker.namesTrackers(payload)).isEqualTo(names);
    }
}
