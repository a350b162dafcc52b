package dev.sluice.proxy.admin;

import dev.sluice.proxy.ops.OpsTable;
import dev.sluice.proxy.ops.ProxyMetrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DistributionDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/**
 * {@code SHOW METRICS}: every series of {@code /metrics} as a row ({@code name}, {@code labels}, {@code value}), read
 * from the same registry through the Prometheus library's snapshots. Names are as the text format prints them
 * (counters with {@code _total}, info metrics with {@code _info}); histograms and summaries give their {@code _count}
 * and {@code _sum}. Labels are {@code name="value"} pairs separated by commas.
 */
final class MetricsTable {
    private MetricsTable() {}

    static OpsTable build(ProxyMetrics metrics) {
        OpsTable.Builder t = OpsTable.builder().text("name", "labels").decimal("value");
        for (MetricSnapshot m : metrics.scrape()) {
            String name = m.getMetadata().getPrometheusName();
            for (DataPointSnapshot p : m.getDataPoints()) {
                String labels = labels(p.getLabels());
                if (p instanceof CounterSnapshot.CounterDataPointSnapshot c) {
                    t.row(name + "_total", labels, c.getValue());
                } else if (p instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
                    t.row(name, labels, g.getValue());
                } else if (p instanceof InfoSnapshot.InfoDataPointSnapshot) {
                    t.row(name + "_info", labels, 1.0);
                } else if (p instanceof DistributionDataPointSnapshot d) {
                    if (d.hasCount()) {
                        t.row(name + "_count", labels, (double) d.getCount());
                    }
                    if (d.hasSum()) {
                        t.row(name + "_sum", labels, d.getSum());
                    }
                }
            }
        }
        return t.build();
    }

    private static String labels(Labels labels) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels.getPrometheusName(i))
                    .append("=\"")
                    .append(labels.getValue(i))
                    .append('"');
        }
        return out.toString();
    }
}
