package dev.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientChoiceTest {
    private static final long CAPS = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_MYSQL;

    private static ByteBuf login(String user, List<HandshakeResponse41.Attribute> attributes) {
        ByteBuf buf = Unpooled.buffer();
        new HandshakeResponse41(
                        CAPS,
                        1 << 24,
                        45,
                        user,
                        new byte[] {1, 2, 3, 0, 5},
                        "test",
                        "mysql_native_password",
                        attributes,
                        0)
                .encode(buf);
        return buf;
    }

    @Test
    void faultsAfterTheUserNameAreChosenAndTheLoginGoesOnWithThePlainName() {
        ByteBuf original = login("app+err-after-rows:5+delay:1", List.of(new HandshakeResponse41.Attribute("a", "b")));
        int before = original.readerIndex();

        ClientChoice choice = ClientChoice.of(original, "peer");

        assertThat(choice.faults()).containsExactly(Fault.parse("err-after-rows:5"), Fault.parse("delay:1"));
        HandshakeResponse41 plain = HandshakeResponse41.decode(choice.login());
        HandshakeResponse41 expected =
                HandshakeResponse41.decode(login("app", List.of(new HandshakeResponse41.Attribute("a", "b"))));
        assertThat(plain.username()).isEqualTo("app");
        assertThat(plain.authResponse()).containsExactly(expected.authResponse());
        assertThat(plain.database()).isEqualTo("test");
        assertThat(plain.attributes()).isEqualTo(expected.attributes());
        assertThat(original.readerIndex()).isEqualTo(before);
    }

    @Test
    void theAttributeWinsAndWhatDoesNotParseChoosesNothing() {
        ClientChoice both = ClientChoice.of(
                login("app+seq-id:3", List.of(new HandshakeResponse41.Attribute("sluice_hostile", "reset:rows:10"))),
                "peer");
        assertThat(both.faults()).containsExactly(Fault.parse("reset:rows:10"));
        assertThat(both.login()).isNull();

        assertThat(ClientChoice.of(login("app", List.of()), "peer")).isNull();
        assertThat(ClientChoice.of(login("a+b", List.of()), "peer")).isNull();
        assertThat(ClientChoice.of(
                        login(
                                "app",
                                List.of(new HandshakeResponse41.Attribute("sluice_hostile", "split-bytes+coalesce"))),
                        "peer"))
                .isNull();
    }
}
