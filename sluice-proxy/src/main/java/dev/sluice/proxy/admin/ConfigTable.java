package dev.sluice.proxy.admin;

import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.ops.OpsTable;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * {@code SHOW CONFIG}, {@code /api/config}: the configuration in effect, one row per value ({@code key}, {@code
 * value}), keys as paths through it ({@code servers[0].address}, {@code pool.max-size}, {@code timeouts.connect}),
 * named after the fields of {@link ProxyConfig} in kebab case (mostly the YAML keys). Defaults are included: this is
 * what runs, not what the file says. Every text whose name speaks of a password, a hash or a secret is shown as
 * {@code <redacted>} (a flag such as {@code allow-cleartext-password} is shown as it is).
 */
final class ConfigTable {
    static final String REDACTED = "<redacted>";
    private static final int MAX_DEPTH = 8;

    private ConfigTable() {}

    static OpsTable build(ProxyConfig config) {
        OpsTable.Builder t = OpsTable.builder().text("key", "value");
        walk(t, "", config, false, 0);
        return t.build();
    }

    private static void walk(OpsTable.Builder t, String key, Object value, boolean secret, int depth) {
        if (value == null) {
            t.row(key, null);
        } else if (secret && value instanceof CharSequence) {
            t.row(key, REDACTED);
        } else if (depth < MAX_DEPTH && value instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object v;
                try {
                    v = c.getAccessor().invoke(r);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    v = "(unreadable: " + e + ")";
                }
                walk(t, (key.isEmpty() ? "" : key + ".") + kebab(c.getName()), v, isSecret(c.getName()), depth + 1);
            }
        } else if (depth < MAX_DEPTH && value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(t, key + "[" + i++ + "]", item, false, depth + 1);
            }
        } else if (depth < MAX_DEPTH && value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(t, key + "." + k, v, isSecret(String.valueOf(k)), depth + 1));
        } else {
            t.row(key, scalar(value));
        }
    }

    private static String scalar(Object v) {
        if (v instanceof Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (v instanceof Path p) {
            return p.toString();
        }
        return String.valueOf(v);
    }

    static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.contains("hash") || n.contains("secret");
    }

    /** {@code clientTls} → {@code client-tls}. */
    static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                out.append('-').append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
