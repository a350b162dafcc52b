package dev.sluice.proxy.frontend;

import dev.sluice.protocol.auth.CachingSha2Password;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * caching_sha2_password's server-side cache: for each user who completed a full authentication (password
 * proven in clear over TLS, or RSA-encrypted), SHA256(SHA256(password)). With an entry, the next login of that
 * user takes the fast path (one round trip, no TLS or RSA needed), exactly as on a MySQL server.
 *
 * <p>An entry is only used while it still matches the user's configured password, so a changed password
 * (configuration reload) falls back to full authentication instead of accepting the old one. Shared by all
 * connections and event loops, hence the concurrent map; entries are 32 bytes per user.
 */
public final class Sha2Cache {
    private final ConcurrentHashMap<String, byte[]> entries = new ConcurrentHashMap<>();

    /** Records a successful full authentication of {@code user} with {@code password}. */
    public void put(String user, String password) {
        entries.put(user, CachingSha2Password.doubleHash(password.getBytes(StandardCharsets.UTF_8)));
    }

    /** The cached double hash for {@code user}, or null when none matches the current {@code password}. */
    byte[] lookup(String user, String password) {
        byte[] cached = entries.get(user);
        if (cached == null) {
            return null;
        }
        byte[] current = CachingSha2Password.doubleHash(password.getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(cached, current)) {
            entries.remove(user, cached);
            return null;
        }
        return cached;
    }

    public void invalidate(String user) {
        entries.remove(user);
    }

    public void clear() {
        entries.clear();
    }

    public boolean contains(String user) {
        return entries.containsKey(user);
    }
}
