package dev.sluice.testkit;

/** String literals for the generated setup SQL (the server runs without NO_BACKSLASH_ESCAPES). */
final class SqlText {
    private SqlText() {}

    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\'' -> out.append("''");
                case '\\' -> out.append("\\\\");
                case '\0' -> out.append("\\0");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }
}
