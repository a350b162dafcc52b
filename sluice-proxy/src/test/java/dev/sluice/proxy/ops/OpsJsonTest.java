package dev.sluice.proxy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpsJsonTest {
    @Test
    void rowsAreObjectsKeyedByColumn() {
        OpsTable t = OpsTable.builder()
                .text("name")
                .integer("n")
                .decimal("x")
                .row("a", 1L, 0.25)
                .row(null, null, Double.NaN)
                .build();
        assertThat(OpsJson.render(t))
                .isEqualTo(
                        "[\n  {\"name\": \"a\", \"n\": 1, \"x\": 0.25},\n  {\"name\": null, \"n\": null, \"x\": null}\n]\n");
        assertThat(OpsJson.render(OpsTable.builder().text("a").build())).isEqualTo("[]\n");
    }

    @Test
    void stringsAreEscapedPerRfc8259() {
        StringBuilder out = new StringBuilder();
        OpsJson.string(out, "q\"b\\s/ n\n r\r t\t \u0001 \u001f é \u2028 ☃");
        assertThat(out.toString()).isEqualTo("\"q\\\"b\\\\s/ n\\n r\\r t\\t \\u0001 \\u001f é \\u2028 ☃\"");
    }

    @Test
    void decimalsWithoutExponent() {
        assertThat(OpsValues.decimal(3.0)).isEqualTo("3");
        assertThat(OpsValues.decimal(1e-7)).isEqualTo("0.0000001");
        assertThat(OpsValues.decimal(12345678.5)).isEqualTo("12345678.5");
        assertThat(OpsValues.decimal(Double.POSITIVE_INFINITY)).isNull();
        assertThat(OpsValues.text(true)).isEqualTo("1");
    }
}
