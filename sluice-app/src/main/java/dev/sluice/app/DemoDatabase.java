package dev.sluice.app;

import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.MariaDbSandboxBuilder;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's private MariaDB: database {@code demo} with {@code customers}, {@code orders}, a view and a stored
 * procedure with OUT parameters, and the user {@code demo}/{@code demo}. The rows are generated from fixed lists,
 * so every demo (and the test) sees the same data. The SQL goes into the sandbox's init file, which runs before
 * the server accepts connections: when the sandbox is up, the schema is there.
 */
final class DemoDatabase {
    static final String USER = "demo";
    static final String PASSWORD = "demo";
    static final String DATABASE = "demo";
    static final int CUSTOMERS = 24;
    static final int ORDERS = 60;

    private static final String[] FIRST = {
        "Ada",
        "Alan",
        "Barbara",
        "Brian",
        "Claude",
        "Dennis",
        "Donald",
        "Edsger",
        "Frances",
        "Grace",
        "John",
        "Ken",
        "Leslie",
        "Linus",
        "Margaret",
        "Niklaus",
        "Radia",
        "Richard",
        "Shafi",
        "Sophie",
        "Tim",
        "Tony",
        "Vint",
        "Whitfield"
    };
    private static final String[] LAST = {
        "Lovelace",
        "Turing",
        "Liskov",
        "Kernighan",
        "Shannon",
        "Ritchie",
        "Knuth",
        "Dijkstra",
        "Allen",
        "Hopper",
        "McCarthy",
        "Thompson",
        "Lamport",
        "Torvalds",
        "Hamilton",
        "Wirth",
        "Perlman",
        "Hamming",
        "Goldwasser",
        "Wilson",
        "Berners-Lee",
        "Hoare",
        "Cerf",
        "Diffie"
    };
    private static final String[] COUNTRIES = {"GB", "US", "DE", "FR", "NL", "CH", "FI", "SE"};
    private static final String[] STATUSES = {"new", "paid", "shipped", "shipped", "cancelled"};

    private DemoDatabase() {}

    /** A sandbox named "demo" with the schema, ready for {@code start()}. */
    static MariaDbSandboxBuilder sandbox() {
        return MariaDbSandbox.builder()
                .name("demo")
                .option("character-set-server", "utf8mb4")
                .option("collation-server", "utf8mb4_general_ci")
                .user(USER, PASSWORD)
                .initSql(schema().toArray(String[]::new));
    }

    /** The setup statements, one per element, without trailing semicolons. */
    static List<String> schema() {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE DATABASE demo CHARACTER SET utf8mb4");
        sql.add("CREATE TABLE demo.customers ("
                + " id INT PRIMARY KEY AUTO_INCREMENT,"
                + " name VARCHAR(100) NOT NULL,"
                + " email VARCHAR(200) NOT NULL UNIQUE,"
                + " country CHAR(2) NOT NULL,"
                + " created_at DATETIME NOT NULL)");
        sql.add("CREATE TABLE demo.orders ("
                + " id INT PRIMARY KEY AUTO_INCREMENT,"
                + " customer_id INT NOT NULL,"
                + " ordered_at DATETIME NOT NULL,"
                + " amount DECIMAL(10,2) NOT NULL,"
                + " status ENUM('new','paid','shipped','cancelled') NOT NULL,"
                + " note VARCHAR(200) NULL,"
                + " KEY (ordered_at),"
                + " FOREIGN KEY (customer_id) REFERENCES demo.customers (id))");
        sql.add(customerRows());
        sql.add(orderRows());
        // the init file runs without a user: without an explicit definer, views and routines would get ''@''
        sql.add("CREATE DEFINER = 'demo'@'%' VIEW demo.customer_totals AS"
                + " SELECT c.id, c.name, c.country, COUNT(o.id) AS orders, COALESCE(SUM(o.amount), 0) AS total"
                + " FROM demo.customers c LEFT JOIN demo.orders o ON o.customer_id = c.id AND o.status <> 'cancelled'"
                + " GROUP BY c.id, c.name, c.country");
        // one result set (the orders), then the OUT parameters: what CALL through a proxy has to relay
        sql.add("CREATE DEFINER = 'demo'@'%' PROCEDURE demo.customer_orders("
                + "IN customer INT, OUT order_count INT, OUT total DECIMAL(12,2))"
                + " BEGIN"
                + " SELECT id, ordered_at, amount, status FROM demo.orders WHERE customer_id = customer ORDER BY id;"
                + " SELECT COUNT(*), COALESCE(SUM(amount), 0) INTO order_count, total FROM demo.orders"
                + " WHERE customer_id = customer;"
                + " END");
        return sql;
    }

    static String customerName(int id) {
        return FIRST[id - 1] + " " + LAST[id - 1];
    }

    static int orderCustomer(int orderId) {
        return (orderId * 7) % CUSTOMERS + 1;
    }

    static BigDecimal orderAmount(int orderId) {
        return BigDecimal.valueOf((orderId * 3_719L) % 50_000 + 99, 2);
    }

    private static String customerRows() {
        StringBuilder s =
                new StringBuilder("INSERT INTO demo.customers (id, name, email, country, created_at) VALUES ");
        LocalDateTime start = LocalDateTime.of(2024, 1, 3, 9, 30);
        for (int id = 1; id <= CUSTOMERS; id++) {
            String email = (FIRST[id - 1] + "." + LAST[id - 1]).toLowerCase(java.util.Locale.ROOT) + "@example.com";
            s.append(id == 1 ? "" : ", ")
                    .append('(')
                    .append(id)
                    .append(", '")
                    .append(customerName(id))
                    .append("', '")
                    .append(email)
                    .append("', '")
                    .append(COUNTRIES[id % COUNTRIES.length])
                    .append("', '")
                    .append(start.plusDays(id * 11L)
                            .plusMinutes(id * 37L)
                            .toString()
                            .replace('T', ' '))
                    .append("')");
        }
        return s.toString();
    }

    private static String orderRows() {
        StringBuilder s = new StringBuilder(
                "INSERT INTO demo.orders (id, customer_id, ordered_at, amount, status, note) VALUES ");
        LocalDateTime start = LocalDateTime.of(2025, 2, 1, 8, 0);
        for (int id = 1; id <= ORDERS; id++) {
            s.append(id == 1 ? "" : ", ")
                    .append('(')
                    .append(id)
                    .append(", ")
                    .append(orderCustomer(id))
                    .append(", '")
                    .append(start.plusHours(id * 29L)
                            .plusMinutes(id * 13L % 60)
                            .toString()
                            .replace('T', ' '))
                    .append("', ")
                    .append(orderAmount(id).toPlainString())
                    .append(", '")
                    .append(STATUSES[id % STATUSES.length])
                    .append("', ")
                    .append(id % 6 == 0 ? "'gift wrap'" : "NULL")
                    .append(')');
        }
        return s.toString();
    }
}
