package dev.sluice.proxy.accounts;

import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.proxy.config.UserConfig;

/**
 * A client's login as an account loaded from the servers, for the login and COM_CHANGE_USER alike: the account's
 * stored hash checks the client's mysql_native_password answer, and the answer gives back SHA1(password), which
 * is all Sluice needs to log in to the servers as the same account.
 */
public final class LoadedLogin {
    private LoadedLogin() {}

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
