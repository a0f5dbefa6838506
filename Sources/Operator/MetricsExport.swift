import Metrics
import Prometheus

/// The process's one metrics backend: swift-metrics → swift-prometheus (plus `LabelledCounters`
/// for per-source counters), so everything the pipeline records (it only knows swift-metrics) is
/// what `/metrics` exports. swift-metrics can be bootstrapped once per process, hence a lazily
/// initialised shared value.
public enum MetricsExport {
    private static let backend: (registry: PrometheusCollectorRegistry, labelled: LabelledCounters) = {
        let registry = PrometheusCollectorRegistry()
        var prometheus = PrometheusMetricsFactory(registry: registry)
        // Reconcile passes take micro- to milliseconds; the default buckets start at 5 ms.
        prometheus.durationHistogramBuckets["stream_manager_reconcile_duration_seconds"] =
            [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
             .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)]
        let labelled = LabelledCounters()
        MetricsSystem.bootstrap(OperatorMetricsFactory(prometheus: prometheus, labelled: labelled))
        return (registry, labelled)
    }()

    /// Installs the backend (idempotent). Call before any metric object is created, or those
    /// created earlier stay with the no-op backend.
    public static func install() { _ = backend }

    /// The Prometheus text exposition of everything recorded so far.
    public static func prometheusText() -> String {
        var buffer: [UInt8] = []
        backend.registry.emit(into: &buffer)
        var text = String(decoding: buffer, as: UTF8.self)
        backend.labelled.emit(into: &text)
        return text
    }
}
