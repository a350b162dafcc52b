package dev.sluice.protocol.validate;

/** A check failed: the rule, where in the payload, and what was expected there. Internal; no stack trace. */
final class Breach extends RuntimeException {
    final Rule rule;
    final int offset;
    final String expected;
    final String found;

    Breach(Rule rule, int offset, String expected, String found) {
        super(rule.label() + " at " + offset + ": expected " + expected + ", found " + found, null, false, false);
        this.rule = rule;
        this.offset = offset;
        this.expected = expected;
        this.found = found;
    }
}
