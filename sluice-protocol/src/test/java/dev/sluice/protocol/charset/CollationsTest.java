package dev.sluice.protocol.charset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CollationsTest {
    @Test
    void wellKnownIds() {
        assertThat(Collations.byId(33).orElseThrow().name()).isEqualTo("utf8mb3_general_ci");
        assertThat(Collations.byName("utf8_general_ci").orElseThrow().id()).isEqualTo(33);
        assertThat(Collations.byId(45).orElseThrow().name()).isEqualTo("utf8mb4_general_ci");
        assertThat(Collations.byId(46).orElseThrow().name()).isEqualTo("utf8mb4_bin");
        assertThat(Collations.byId(63).orElseThrow().charsetName()).isEqualTo("binary");
        assertThat(Collations.byId(8).orElseThrow().name()).isEqualTo("latin1_swedish_ci");
        assertThat(Collations.byId(255).orElseThrow()).satisfies(c -> {
            assertThat(c.name()).isEqualTo("utf8mb4_0900_ai_ci");
            assertThat(c.mysqlOnly()).isTrue();
        });
        assertThat(Collations.byId(309).orElseThrow().name()).isEqualTo("utf8mb4_0900_bin");
        assertThat(Collations.byId(0)).isEmpty();
        assertThat(Collations.byId(272)).as("unconfirmed MySQL id left out").isEmpty();
    }

    @Test
    void javaCharsets() {
        assertThat(Collations.javaCharset(33)).isEqualTo(StandardCharsets.UTF_8);
        assertThat(Collations.javaCharset(45)).isEqualTo(StandardCharsets.UTF_8);
        assertThat(Collations.javaCharset(255)).isEqualTo(StandardCharsets.UTF_8);
        assertThat(Collations.javaCharset(8)).isEqualTo(Charset.forName("windows-1252"));
        assertThat(Collations.javaCharset(63)).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(Collations.javaCharset("ucs2")).isEqualTo(StandardCharsets.UTF_16BE);
        assertThat(Collations.javaCharset("utf16le")).isEqualTo(StandardCharsets.UTF_16LE);
        assertThat(Collations.javaCharset("cp932")).isEqualTo(Charset.forName("windows-31j"));
        assertThat(Collations.javaCharset("sjis")).isEqualTo(Charset.forName("Shift_JIS"));
        assertThat(Collations.javaCharset("macroman")).isEqualTo(Charset.forName("x-MacRoman"));
        assertThat(Collations.javaCharset("dec8")).isNull();
        assertThat(Collations.javaCharset(99999)).isNull();
        assertThat(Collations.clientCharset(35)).as("ucs2 client falls back").isEqualTo(StandardCharsets.UTF_8);
        assertThat(Collations.clientCharset(99999)).isEqualTo(StandardCharsets.UTF_8);
        assertThat(Collations.clientCharset(8)).isEqualTo(Charset.forName("windows-1252"));
    }

    @Test
    void defaults() {
        assertThat(Collations.defaultFor("utf8mb4").orElseThrow().id()).isEqualTo(45);
        assertThat(Collations.defaultFor("utf8").orElseThrow().id()).isEqualTo(33);
        assertThat(Collations.defaultFor("latin1").orElseThrow().id()).isEqualTo(8);
        assertThat(Collations.defaultFor("binary").orElseThrow().id()).isEqualTo(63);
    }

    @Test
    void tableIsConsistent() {
        Set<String> charsets = new HashSet<>();
        for (Collation c : Collations.all()) {
            assertThat(Collations.byName(c.name())).contains(c);
            charsets.add(c.charsetName());
        }
        assertThat(Collations.all()).hasSizeGreaterThan(370);
        for (String cs : charsets) {
            assertThat(Collations.defaultFor(cs))
                    .as("default collation of %s", cs)
                    .isPresent();
        }
    }
}
