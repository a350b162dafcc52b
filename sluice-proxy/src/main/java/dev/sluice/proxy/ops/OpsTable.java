package dev.sluice.proxy.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One table of operators' data (servers, pools, sessions, ...), built once per request and rendered as whatever
 * asked for it: a MySQL result set on the admin interface, a JSON array of objects under {@code /api} on the HTTP
 * listener. Column names are lower snake case (they are the JSON keys too). Values are {@link String}, {@link Long}
 * (or another integral number), {@link Double}, or null.
 */
public record OpsTable(List<Column> columns, List<List<Object>> rows) {
    /** What a column holds: the MySQL column type and the JSON value follow from it. */
    public enum Kind {
        TEXT,
        INTEGER,
        DECIMAL
    }

    public record Column(String name, Kind kind) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }
    }

    public OpsTable {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException(
                        "row of " + row.size() + " values for " + columns.size() + " columns: " + row);
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
        }
        rows = Collections.unmodifiableList(copy);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Columns first, then rows in their order. */
    public static final class Builder {
        private final List<Column> columns = new ArrayList<>();
        private final List<List<Object>> rows = new ArrayList<>();

        public Builder text(String... names) {
            return add(Kind.TEXT, names);
        }

        public Builder integer(String... names) {
            return add(Kind.INTEGER, names);
        }

        public Builder decimal(String... names) {
            return add(Kind.DECIMAL, names);
        }

        private Builder add(Kind kind, String... names) {
            for (String n : names) {
                columns.add(new Column(n, kind));
            }
            return this;
        }

        public Builder row(Object... values) {
            rows.add(Arrays.asList(values));
            return this;
        }

        public OpsTable build() {
            return new OpsTable(columns, rows);
        }
    }
}
