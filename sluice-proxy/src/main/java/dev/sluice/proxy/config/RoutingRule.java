package dev.sluice.proxy.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A routing rule: statements of a user, in a schema, whose text matches a pattern, go to a group. Null criteria
 * match anything; the first rule whose criteria all match decides. A rule is stronger than the read/write
 * classification (it may send a statement Sluice would call a write to a reader group, for stored functions the
 * operator knows only read) but weaker than what keeps a session on its connection (a transaction, a pin).
 *
 * @param pattern matched with {@link java.util.regex.Matcher#find} against the statement text
 * @param group the name of the group the statement goes to
 */
public record RoutingRule(String user, String schema, Pattern pattern, String group) {
    public RoutingRule {
        Objects.requireNonNull(group, "group");
    }

    public boolean matches(String userName, String schemaName, CharSequence text) {
        return (user == null || user.equals(userName))
                && (schema == null || schema.equals(schemaName))
                && (pattern == null || (text != null && pattern.matcher(text).find()));
    }
}
