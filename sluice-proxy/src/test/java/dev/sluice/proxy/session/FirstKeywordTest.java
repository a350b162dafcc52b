package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirstKeywordTest {
    private static int keyword(String sql) {
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x03); // COM_QUERY
        payload.writeCharSequence(sql, StandardCharsets.UTF_8);
        return ClientSession.firstKeyword(payload);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "KILL QUERY 5|1",
        "  kill 12|1",
        "\tKill\tconnection 3|1",
        "LOAD DATA LOCAL INFILE 'x' INTO TABLE t|2",
        "load xml local infile 'x' into table t|2",
        "SHOW SESSION STATUS LIKE 'Ssl_cipher'|3",
        "show   status|3",
        "SELECT 1|0",
        "KILLER 1|0",
        "SHOWS|0",
        "KILL|0",
        "LOADED 1|0",
        "sélect|0",
    })
    void recognisesOnlyTheWordsSluiceActsOn(String sql, int expected) {
        assertThat(keyword(sql)).as(sql).isEqualTo(expected);
    }
}
