package dev.sluice.proxy.accounts;

import dev.sluice.protocol.auth.NativePassword;
import java.util.Objects;

/**
 * One account as a server stores it ({@code mysql.global_priv} or {@code mysql.user}).
 *
 * @param user the user name (never empty: anonymous accounts are not loaded)
 * @param host the host pattern
 * @param plugin the authentication plugin
 * @param authenticationString what the plugin stores; for mysql_native_password "*" + 40 hex digits of
 *     SHA1(SHA1(password)), or empty for no password. Never logged ({@link #toString()} leaves it out)
 * @param locked {@code ACCOUNT LOCK}
 * @param passwordExpired the password expired ({@code PASSWORD EXPIRE}, or older than its lifetime); Sluice lets
 *     the server answer such a login, as it does for configured users
 */
public record ServerAccount(
        String user,
        HostPattern host,
        String plugin,
        String authenticationString,
        boolean locked,
        boolean passwordExpired) {

    public ServerAccount {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        plugin = plugin == null || plugin.isEmpty() ? NativePassword.PLUGIN_NAME : plugin;
        authenticationString = authenticationString == null ? "" : authenticationString;
    }

    /** 'user'@'host', as the server writes an account. */
    public String account() {
        return "'" + user + "'@'" + host.text() + "'";
    }

    @Override
    public String toString() {
        return account() + " (" + plugin + (locked ? ", locked" : "") + (passwordExpired ? ", expired" : "") + ")";
    }
}
