package dev.sluice.proxy.config;

import java.util.Map;
import java.util.Objects;

/**
 * A user clients log in to Sluice as, and the credentials Sluice logs in to servers with for them.
 *
 * @param password the plaintext password, or null when only {@code nativeHash} is known
 * @param nativeHash mysql_native_password's stored form ("*" + 40 hex digits of SHA1(SHA1(password))), or
 *     null; with only a hash, clients can log in with mysql_native_password only (caching_sha2_password
 *     needs the plaintext)
 * @param serverUser the user name on the servers (default: the same name)
 * @param serverPassword the password on the servers (default: the same password; required with a hash only)
 * @param defaultGroup the {@link ServerGroup} this user's statements go to; null for the writer group
 * @param schemaGroups groups by default schema (exact name), before {@code defaultGroup}; empty for none
 */
public record UserConfig(
        String name,
        String password,
        String nativeHash,
        String serverUser,
        String serverPassword,
        String defaultGroup,
        Map<String, String> schemaGroups) {
    public UserConfig {
        Objects.requireNonNull(name, "name");
        if (password == null && nativeHash == null) {
            throw new IllegalArgumentException("user '" + name + "': needs a password or a password-hash");
        }
        if (serverUser == null) {
            serverUser = name;
        }
        if (serverPassword == null) {
            if (password == null) {
                throw new IllegalArgumentException(
                        "user '" + name + "': server-password is required when only a password-hash is given");
            }
            serverPassword = password;
        }
        schemaGroups = schemaGroups == null ? Map.of() : Map.copyOf(schemaGroups);
    }

    /** Without groups of its own: the writer group serves it. */
    public UserConfig(String name, String password, String nativeHash, String serverUser, String serverPassword) {
        this(name, password, nativeHash, serverUser, serverPassword, null, Map.of());
    }

    public static UserConfig of(String name, String password) {
        return new UserConfig(name, password, null, null, null);
    }
}
