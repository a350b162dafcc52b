package dev.sluice.proxy.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPatternTest {
    private static boolean matches(String pattern, String client) {
        return HostPattern.parse(pattern).matches(client);
    }

    @Test
    void percentAndEmptyMatchEveryAddress() {
        assertThat(matches("%", "127.0.0.1")).isTrue();
        assertThat(matches("%", "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(matches("", "10.1.2.3")).isTrue();
    }

    @Test
    void wildcardsMatchTheAddressAsText() {
        assertThat(matches("10.%", "10.1.2.3")).isTrue();
        assertThat(matches("10.%", "127.0.0.1")).isFalse();
        assertThat(matches("10.%", "110.0.0.1")).isFalse();
        assertThat(matches("192.168.1._", "192.168.1.7")).isTrue();
        assertThat(matches("192.168.1._", "192.168.1.17")).isFalse();
        assertThat(matches("%.0.0.1", "127.0.0.1")).isTrue();
        assertThat(matches("127.0.0.%", "127.0.0.1")).isTrue();
    }

    @Test
    void addressesAreComparedAsAddresses() {
        assertThat(matches("127.0.0.1", "127.0.0.1")).isTrue();
        assertThat(matches("127.0.0.1", "127.0.0.2")).isFalse();
        assertThat(matches("::1", "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(matches("::1", "127.0.0.1")).isFalse();
    }

    @Test
    void netmasksMaskTheClientAddress() {
        assertThat(matches("10.0.0.0/255.255.255.0", "10.0.0.200")).isTrue();
        assertThat(matches("10.0.0.0/255.255.255.0", "10.0.1.1")).isFalse();
        assertThat(matches("10.0.0.0/255.0.0.0", "10.200.1.1")).isTrue();
        assertThat(matches("10.0.0.0/255.0.0.0", "0:0:0:0:0:0:0:1")).isFalse();
    }

    @Test
    void localhostIsALoopbackAddressAndOtherNamesNeverMatch() {
        assertThat(matches("localhost", "127.0.0.1")).isTrue();
        assertThat(matches("LOCALHOST", "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(matches("localhost", "10.0.0.1")).isFalse();
        // no name resolution: a host name matches no address (and is never looked up)
        assertThat(matches("db.example.com", "10.0.0.1")).isFalse();
        assertThat(matches("example", "127.0.0.1")).isFalse();
    }

    @Test
    void specificityOrdersExactBeforeWildcardsBeforePercent() {
        List<String> mostSpecificFirst = List.of("127.0.0.1", "127.0.0.%", "127.%", "%");
        for (int i = 0; i + 1 < mostSpecificFirst.size(); i++) {
            assertThat(HostPattern.parse(mostSpecificFirst.get(i)).specificity())
                    .as(mostSpecificFirst.get(i) + " before " + mostSpecificFirst.get(i + 1))
                    .isGreaterThan(
                            HostPattern.parse(mostSpecificFirst.get(i + 1)).specificity());
        }
    }

    /** As the server picks: the most specific pattern that matches, whatever the order the rows came in. */
    @Test
    void aSnapshotPicksTheMostSpecificMatchingAccount() {
        ServerAccount any = account("%", "*AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        ServerAccount local = account("127.0.0.%", "*BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
        ServerAccount exact = account("127.0.0.1", "*CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC");
        ServerAccount elsewhere = account("10.%", "*DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD");
        AccountSnapshot snapshot = AccountSnapshot.of(List.of(any, elsewhere, local, exact), Instant.EPOCH, "s");

        assertThat(snapshot.match("u", "127.0.0.1")).isSameAs(exact);
        assertThat(snapshot.match("u", "127.0.0.2")).isSameAs(local);
        assertThat(snapshot.match("u", "10.0.0.1")).isSameAs(elsewhere);
        assertThat(snapshot.match("u", "192.168.0.1")).isSameAs(any);
        assertThat(snapshot.match("other", "127.0.0.1")).isNull();
        assertThat(AccountSnapshot.of(List.of(elsewhere), Instant.EPOCH, "s").match("u", "127.0.0.1"))
                .isNull();
    }

    @Test
    void anAccountPrintsNoHash() {
        assertThat(account("%", "*AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").toString())
                .isEqualTo("'u'@'%' (mysql_native_password)")
                .doesNotContain("AAAA");
    }

    private static ServerAccount account(String host, String hash) {
        return new ServerAccount("u", HostPattern.parse(host), "mysql_native_password", hash, false, false);
    }
}
