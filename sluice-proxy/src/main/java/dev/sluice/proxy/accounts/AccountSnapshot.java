package dev.sluice.proxy.accounts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The accounts read from a server at one moment, immutable: per user name its accounts, most specific host
 * pattern first ({@link HostPattern#specificity()}), so that {@link #match} picks the account the server would.
 */
public final class AccountSnapshot {
    /** Before the first load. */
    public static final AccountSnapshot EMPTY = new AccountSnapshot(List.of(), null, null);

    private final Map<String, List<ServerAccount>> byUser;
    private final int size;
    private final Instant loadedAt;
    private final String source;

    private AccountSnapshot(Collection<ServerAccount> accounts, Instant loadedAt, String source) {
        Map<String, List<ServerAccount>> map = new HashMap<>();
        for (ServerAccount a : accounts) {
            map.computeIfAbsent(a.user(), k -> new ArrayList<>()).add(a);
        }
        Comparator<ServerAccount> specificFirst = Comparator.comparingInt(
                        (ServerAccount a) -> a.host().specificity())
                .reversed()
                .thenComparing(a -> a.host().text(), Comparator.reverseOrder());
        map.replaceAll((user, list) -> list.stream().sorted(specificFirst).toList());
        this.byUser = Map.copyOf(map);
        this.size = accounts.size();
        this.loadedAt = loadedAt;
        this.source = source;
    }

    /** @param source the server they were read from, for logs */
    public static AccountSnapshot of(Collection<ServerAccount> accounts, Instant loadedAt, String source) {
        return new AccountSnapshot(accounts, loadedAt, source);
    }

    /** The account the server would pick for this user from this address, or null for none. */
    public ServerAccount match(String user, String clientAddress) {
        List<ServerAccount> candidates = byUser.get(user);
        if (candidates == null) {
            return null;
        }
        for (ServerAccount a : candidates) {
            if (a.host().matches(clientAddress)) {
                return a;
            }
        }
        return null;
    }

    public int size() {
        return size;
    }

    /** When the accounts were read; null for {@link #EMPTY}. */
    public Instant loadedAt() {
        return loadedAt;
    }

    public String source() {
        return source;
    }
}
