package dev.sluice.protocol.charset;

import java.nio.charset.Charset;
import java.util.Optional;

/**
 * One row of {@link Collations}: a protocol collation id (what the handshake's character_set byte and a
 * column definition's character set field carry), its name and its character set.
 *
 * @param isDefault whether this is the default collation of its character set (MariaDB's choice)
 * @param mysqlOnly true for ids MySQL 8 uses and MariaDB does not know (e.g. 255 utf8mb4_0900_ai_ci)
 */
public record Collation(int id, String name, String charsetName, boolean isDefault, boolean mysqlOnly) {

    /** The Java charset for this collation's character set; empty when Java has none (e.g. dec8, swe7). */
    public Optional<Charset> javaCharset() {
        return Optional.ofNullable(Collations.javaCharset(charsetName));
    }
}
