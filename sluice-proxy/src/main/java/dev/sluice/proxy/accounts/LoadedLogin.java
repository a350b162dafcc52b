package dev.sluice.proxy.accounts;

import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.proxy.config.UserConfig;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A client's login as an account loaded from the servers, for the login and COM_CHANGE_USER alike: the account's
 * stored hash checks the client's mysql_native_password answer, and the answer gives back SHA1(password), which
 * is all Sluice needs to log in to the servers as the same account.
 */
public final class LoadedLogin {
    /** Random per process: credential tags say nothing about the hash outside it. */
    private static final byte[] TAG_SALT = new byte[16];

    static {
        new SecureRandom().nextBytes(TAG_SALT);
    }

    private LoadedLogin() {}

    /**
     * The server user a pool of this user's connections is keyed by: for a loaded account, the name and a tag of
     * the credential (8 hex digits of a salted SHA1 of it, meaningless outside this process), so that after a
     * password change the clients proving the new one get a pool whose new connections log in with it.
     */
    public static String poolUser(UserConfig user) {
        if (!user.isLoaded()) {
            return user.serverUser();
        }
        byte[] tag;
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(TAG_SALT);
            tag = sha1.digest(user.serverPasswordSha1());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
        return user.serverUser() + " [credential " + HexFormat.of().formatHex(tag, 0, 4) + "]";
    }

    /**
     * The user the handshake works with before the password is checked: the stored hash only (so the client is
     * switched to mysql_native_password), no credential for the servers yet.
     */
    public static UserConfig candidate(String name, ServerAccount account) {
        return UserConfig.loaded(name, account.authenticationString(), new byte[0]);
    }

    /**
     * The user for the session when {@code response} to {@code seed} proves the account's password, else null: with
     * the hash stored as H2 = SHA1(SHA1(password)), H1 = response XOR SHA1(seed + H2) is SHA1(password) exactly when
     * SHA1(H1) = H2.
     */
    public static UserConfig prove(String name, ServerAccount account, byte[] seed, byte[] response) {
        byte[] stored;
        try {
            stored = NativePassword.parseStoredHash(account.authenticationString());
        } catch (IllegalArgumentException e) {
            return null; // e.g. "invalid": no password opens it
        }
        byte[] stage1 = NativePassword.recoverStage1(seed, response, stored);
        return stage1 == null ? null : UserConfig.loaded(name, account.authenticationString(), stage1);
    }

    /** Whether Sluice can log in as the account at all: mysql_native_password (any stored value). */
    public static boolean supportedPlugin(ServerAccount account) {
        return NativePassword.PLUGIN_NAME.equals(account.plugin());
    }
}
