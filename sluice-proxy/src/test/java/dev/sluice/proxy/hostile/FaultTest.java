package dev.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultTest {
    @Test
    void everyWrittenFormParsesAndPrintsBackWithItsDefaultsFilledIn() {
        assertThat(Fault.parse("split-bytes")).isEqualTo(new Fault(Fault.Kind.SPLIT_BYTES, 0, 0));
        assertThat(Fault.parse("split-random").toString()).isEqualTo("split-random:16");
        assertThat(Fault.parse("coalesce:4096").n()).isEqualTo(4096);
        assertThat(Fault.parse("delay").toString()).isEqualTo("delay:5");
        assertThat(Fault.parse("err-after-rows:100").toString()).isEqualTo("err-after-rows:100:1317");
        assertThat(Fault.parse("err-after-rows:0:1105")).isEqualTo(new Fault(Fault.Kind.ERR_AFTER_ROWS, 0, 1105));
        assertThat(Fault.parse(" RESET:GREETING ").kind()).isEqualTo(Fault.Kind.RESET_GREETING);
        assertThat(Fault.parse("reset:command").toString()).isEqualTo("reset:command:1");
        assertThat(Fault.parse("reset:rows:10").toString()).isEqualTo("reset:rows:10");
        assertThat(Fault.parse("reset:between:3").n()).isEqualTo(3);
        assertThat(Fault.parse("seq-id:7").toString()).isEqualTo("seq-id:7");
        for (String form : List.of("split-frames", "reset:auth", "split-random:3", "delay:0")) {
            assertThat(Fault.parse(form).toString()).isEqualTo(form);
        }
    }

    @Test
    void whatIsNotAFaultIsRefusedWithTheFormsThatAre() {
        for (String bad : List.of(
                "",
                "split",
                "reset",
                "reset:later",
                "seq-id",
                "seq-id:x",
                "err-after-rows",
                "split-bytes:3",
                "split-random:0",
                "err-after-rows:1:99",
                "delay:1:2")) {
            assertThatThrownBy(() -> Fault.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected one of: split-bytes");
        }
    }
}
