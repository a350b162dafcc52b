package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MariaDbSandbox;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo's sandbox, started exactly as {@code sluice demo} starts it. */
class DemoDatabaseTest {
    private static MariaDbSandbox sandbox;

    @BeforeAll
    static void start() {
        sandbox = DemoDatabase.sandbox().start();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void tablesHaveTheirRows() {
        assertThat(sandbox.execute("SELECT COUNT(*) FROM demo.customers").strip())
                .isEqualTo("24");
        assertThat(sandbox.execute("SELECT COUNT(*) FROM demo.orders").strip()).isEqualTo("60");
        assertThat(sandbox.execute("SELECT name FROM demo.customers WHERE id = 1")
                        .strip())
                .isEqualTo("Ada Lovelace");
        assertThat(sandbox.execute("SELECT COUNT(*) FROM demo.orders o LEFT JOIN demo.customers c"
                                + " ON c.id = o.customer_id WHERE c.id IS NULL")
                        .strip())
                .as("every order belongs to a customer")
                .isEqualTo("0");
        assertThat(sandbox.execute("SELECT COUNT(DISTINCT customer_id) FROM demo.orders")
                        .strip())
                .isEqualTo("24");
    }

    @Test
    void viewAddsUpOrders() {
        BigDecimal expected = BigDecimal.ZERO;
        for (int id = 1; id <= DemoDatabase.ORDERS; id++) {
            expected = expected.add(DemoDatabase.orderAmount(id));
        }
        assertThat(sandbox.execute("SELECT SUM(amount) FROM demo.orders").strip())
                .isEqualTo(expected.toPlainString());
        assertThat(sandbox.execute("SELECT table_type FROM information_schema.tables"
                                + " WHERE table_schema = 'demo' AND table_name = 'customer_totals'")
                        .strip())
                .isEqualTo("VIEW");
        assertThat(sandbox.execute("SELECT COUNT(*) FROM demo.customer_totals").strip())
                .isEqualTo("24");
    }

    @Test
    void procedureReturnsRowsAndOutParameters() {
        int customer = 1;
        List<Integer> orders = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (int id = 1; id <= DemoDatabase.ORDERS; id++) {
            if (DemoDatabase.orderCustomer(id) == customer) {
                orders.add(id);
                total = total.add(DemoDatabase.orderAmount(id));
            }
        }
        String out = sandbox.execute("CALL demo.customer_orders(1, @n, @total); SELECT @n, @total");
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(orders.size() + 1);
        for (int i = 0; i < orders.size(); i++) {
            assertThat(lines.get(i)).startsWith(orders.get(i) + "\t");
        }
        assertThat(lines.get(orders.size())).isEqualTo(orders.size() + "\t" + total.toPlainString());
    }

    @Test
    void demoUserLogsInOverTcpWithThePrintedCommand() throws IOException, InterruptedException {
        // the command the demo prints, pointed at the sandbox itself (--no-proxy prints exactly this)
        List<String> command = new ArrayList<>(DemoCommand.clientCommand(sandbox.port()));
        command.addAll(List.of("--batch", "--skip-column-names", "-e", "SELECT CURRENT_USER(), DATABASE()"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output.strip()).isEqualTo("demo@%\tdemo");
    }
}
