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
 * @param serverPasswordSha1 for an account loaded from the servers ({@code users-from-server}): SHA1(password)
 *     as recovered from this client's mysql_native_password answer, which Sluice logs in to servers with instead
 *     of {@code serverPassword} (mysql_native_password only); null for configured users. Never logged
 */
public record UserConfig(
        String name,
        String password,
        String nativeHash,
        String serverUser,
        String serverPassword,
        String defaultGroup,
        Map<String, String> schemaGroups,
        byte[] serverPasswordSha1) {
    public UserConfig {
        Objects.requireNonNull(name, "name");
        if (password == null && nativeHash == null) {
            throw new IllegalArgumentException("user '" + name + "': needs a password or a password-hash");
        }
        if (serverUser == null) {
            serverUser = name;
        }
        if (serverPassword == null && serverPasswordSha1 != null) {
            serverPassword = "";
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

    /** A configured user (not loaded from the servers). */
    public UserConfig(
            String name,
            String password,
            String nativeHash,
            String serverUser,
            String serverPassword,
            String defaultGroup,
            Map<String, String> schemaGroups) {
        this(name, password, nativeHash, serverUser, serverPassword, defaultGroup, schemaGroups, null);
    }

    /**
     * A client logged in as an account loaded from the servers: its stored mysql_native_password hash, and the
     * SHA1(password) its answer proved, for logging in to the servers as the same account.
     */
    public static UserConfig loaded(String name, String nativeHash, byte[] passwordSha1) {
        return new UserConfig(name, null, nativeHash, name, null, null, Map.of(), passwordSha1);
    }

    /** Whether this user was loaded from the servers rather than configured. */
    public boolean isLoaded() {
        return serverPasswordSha1 != null;
    }

    /** Without groups of its own: the writer group serves it. */
    public UserConfig(String name, String password, String nativeHash, String serverUser, String serverPassword) {
        this(name, password, nativeHash, serverUser, serverPassword, null, Map.of());
    }

    public static UserConfig of(String name, String password) {
        return new UserConfig(name, password, null, null, null);
    }

    /** Never the passwords or hashes. */
    @Override
    public String toString() {
        return "UserConfig[" + name + (serverUser.equals(name) ? "" : "->" + serverUser)
                + (isLoaded() ? ", loaded" : "") + "]";
    }
}
