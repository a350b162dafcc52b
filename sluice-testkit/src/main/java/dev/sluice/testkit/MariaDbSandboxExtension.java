package dev.sluice.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link MariaDbSandbox} for a test class or for each test, depending on how it is registered:
 *
 * <pre>{@code
 * @RegisterExtension
 * static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder().option("wait_timeout", "1").tls().build();
 * }</pre>
 *
 * A static field gets one server per class (started in beforeAll, closed in afterAll, also when tests fail). A
 * non-static field is registered after the instance exists, so JUnit calls only its per-test callbacks and each test
 * gets a fresh server. Test and lifecycle methods may declare a {@link MariaDbSandbox} parameter; with two sandbox
 * extensions on one class, use the fields instead (JUnit rejects competing resolvers).
 *
 * <p>Nested classes inherit a static registration; the server is started once and closed by the context that
 * started it.
 */
public final class MariaDbSandboxExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private final MariaDbSandboxBuilder config;
    private MariaDbSandbox sandbox;
    private String ownerContextId;

    private MariaDbSandboxExtension(MariaDbSandboxBuilder config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An extension over sandboxes made by the given (not yet built) sandbox builder. */
    public static MariaDbSandboxExtension of(MariaDbSandboxBuilder config) {
        return new MariaDbSandboxExtension(config);
    }

    /** The running sandbox; only valid inside the tests it serves. */
    public synchronized MariaDbSandbox sandbox() {
        if (sandbox == null) {
            throw new IllegalStateException("the sandbox runs only while tests of its class run");
        }
        return sandbox;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeFor(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        startFor(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeFor(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MariaDbSandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return sandbox();
    }

    private synchronized void startFor(ExtensionContext context) {
        if (sandbox != null) {
            return;
        }
        MariaDbSandbox fresh = config.build();
        fresh.start();
        sandbox = fresh;
        ownerContextId = context.getUniqueId();
    }

    private synchronized void closeFor(ExtensionContext context) {
        if (sandbox != null && context.getUniqueId().equals(ownerContextId)) {
            try {
                sandbox.close();
            } finally {
                sandbox = null;
                ownerContextId = null;
            }
        }
    }

    /** Mirrors {@link MariaDbSandboxBuilder}; see there for what each option does. */
    public static final class Builder {
        private final MariaDbSandboxBuilder config = MariaDbSandbox.builder();

        private Builder() {}

        public Builder name(String name) {
            return with(c -> c.name(name));
        }

        public Builder option(String name, String value) {
            return with(c -> c.option(name, value));
        }

        public Builder option(String flag) {
            return with(c -> c.option(flag));
        }

        public Builder options(Map<String, String> options) {
            return with(c -> c.options(options));
        }

        public Builder tls() {
            return with(MariaDbSandboxBuilder::tls);
        }

        public Builder requireSecureTransport() {
            return with(MariaDbSandboxBuilder::requireSecureTransport);
        }

        public Builder defaultAuthPlugin(String plugin) {
            return with(c -> c.defaultAuthPlugin(plugin));
        }

        public Builder user(String name, String password) {
            return with(c -> c.user(name, password));
        }

        public Builder user(String name, String password, String plugin) {
            return with(c -> c.user(name, password, plugin));
        }

        public Builder initSql(String... statements) {
            return with(c -> c.initSql(statements));
        }

        public Builder startTimeout(Duration timeout) {
            return with(c -> c.startTimeout(timeout));
        }

        public MariaDbSandboxExtension build() {
            return new MariaDbSandboxExtension(config);
        }

        private Builder with(Consumer<MariaDbSandboxBuilder> change) {
            change.accept(config);
            return this;
        }
    }
}
