package dev.sluice.protocol.charset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Collation ids, names and character sets of MySQL and MariaDB, and the Java charset for each character set.
 * The table lives in {@code collations.tsv} next to this class (its header says how it was generated) and
 * is loaded once, on first use.
 *
 * <p>Quirks: MySQL's {@code latin1} is really Windows-1252, not ISO-8859-1. MariaDB 10.6+ calls the 3-byte
 * UTF-8 set {@code utf8mb3} where older servers and MySQL 5.7 say {@code utf8}; both spellings are accepted.
 * {@code binary} maps to ISO-8859-1, which turns every byte into one char and back unchanged.
 */
public final class Collations {
    private static final Map<String, String> JAVA_CHARSETS = Map.ofEntries(
            Map.entry("utf8mb4", "UTF-8"),
            Map.entry("utf8mb3", "UTF-8"),
            Map.entry("utf8", "UTF-8"),
            Map.entry("latin1", "windows-1252"),
            Map.entry("binary", "ISO-8859-1"),
            Map.entry("ascii", "US-ASCII"),
            Map.entry("ucs2", "UTF-16BE"),
            Map.entry("utf16", "UTF-16BE"),
            Map.entry("utf16le", "UTF-16LE"),
            Map.entry("utf32", "UTF-32"),
            Map.entry("cp1250", "windows-1250"),
            Map.entry("cp1251", "windows-1251"),
            Map.entry("cp1256", "windows-1256"),
            Map.entry("cp1257", "windows-1257"),
            Map.entry("gbk", "GBK"),
            Map.entry("big5", "Big5"),
            Map.entry("sjis", "Shift_JIS"),
            Map.entry("cp932", "windows-31j"),
            Map.entry("ujis", "EUC-JP"),
            Map.entry("eucjpms", "EUC-JP"),
            Map.entry("euckr", "EUC-KR"),
            Map.entry("gb2312", "GB2312"),
            Map.entry("gb18030", "GB18030"),
            Map.entry("koi8r", "KOI8-R"),
            Map.entry("koi8u", "KOI8-U"),
            Map.entry("greek", "ISO-8859-7"),
            Map.entry("hebrew", "ISO-8859-8"),
            Map.entry("latin2", "ISO-8859-2"),
            Map.entry("latin5", "ISO-8859-9"),
            Map.entry("latin7", "ISO-8859-13"),
            Map.entry("cp850", "IBM850"),
            Map.entry("cp852", "IBM852"),
            Map.entry("cp866", "IBM866"),
            Map.entry("macroman", "x-MacRoman"),
            Map.entry("macce", "x-MacCentralEurope"),
            Map.entry("tis620", "TIS-620"));

    private static final class Table {
        static final Map<Integer, Collation> BY_ID;
        static final Map<String, Collation> BY_NAME;
        static final Map<String, Collation> DEFAULTS;

        static {
            Map<Integer, Collation> byId = new TreeMap<>();
            Map<String, Collation> byName = new HashMap<>();
            Map<String, Collation> defaults = new HashMap<>();
            try (InputStream in = Collations.class.getResourceAsStream("collations.tsv")) {
                if (in == null) {
                    throw new IllegalStateException("collations.tsv missing from the class path");
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.isEmpty() || line.startsWith("#") || line.startsWith("id\t")) {
                        continue;
                    }
                    String[] f = line.split("\t");
                    Collation c = new Collation(
                            Integer.parseInt(f[0]), f[1], f[2], f[3].equals("yes"), f[4].equals("mysql8"));
                    byId.put(c.id(), c);
                    byName.put(c.name(), c);
                    if (c.isDefault()) {
                        defaults.put(c.charsetName(), c);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            BY_ID = Collections.unmodifiableMap(byId);
            BY_NAME = Map.copyOf(byName);
            DEFAULTS = Map.copyOf(defaults);
        }
    }

    private Collations() {}

    public static Optional<Collation> byId(int id) {
        return Optional.ofNullable(Table.BY_ID.get(id));
    }

    /** By collation name, case-insensitive; {@code utf8_*} is read as {@code utf8mb3_*}. */
    public static Optional<Collation> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        Collation c = Table.BY_NAME.get(n);
        if (c == null && n.startsWith("utf8_")) {
            c = Table.BY_NAME.get("utf8mb3_" + n.substring("utf8_".length()));
        }
        return Optional.ofNullable(c);
    }

    /** The default collation of a character set ({@code utf8} is read as {@code utf8mb3}). */
    public static Optional<Collation> defaultFor(String charsetName) {
        String n = charsetName.toLowerCase(Locale.ROOT);
        return Optional.ofNullable(Table.DEFAULTS.get(n.equals("utf8") ? "utf8mb3" : n));
    }

    /** Every known collation, ordered by id. */
    public static Collection<Collation> all() {
        return Table.BY_ID.values();
    }

    /** The Java charset for a MySQL character set name, or null when Java (or this table) has none. */
    public static Charset javaCharset(String charsetName) {
        String javaName = JAVA_CHARSETS.get(charsetName.toLowerCase(Locale.ROOT));
        if (javaName == null || !Charset.isSupported(javaName)) {
            return null;
        }
        return Charset.forName(javaName);
    }

    /** The Java charset for a collation id, or null when the id is unknown or its set has no Java charset. */
    public static Charset javaCharset(int collationId) {
        Collation c = Table.BY_ID.get(collationId);
        return c == null ? null : javaCharset(c.charsetName());
    }

    /**
     * The charset to read and write connection-phase strings (user name, database, attributes) of a client
     * that announced {@code collationId}: its Java charset when that is ASCII-compatible, else UTF-8. Servers
     * refuse ucs2/utf16/utf32 as client character sets, and unknown ids must not break a login.
     */
    public static Charset clientCharset(int collationId) {
        Charset cs = javaCharset(collationId);
        if (cs == null || cs.name().startsWith("UTF-16") || cs.name().startsWith("UTF-32")) {
            return StandardCharsets.UTF_8;
        }
        return cs;
    }
}
