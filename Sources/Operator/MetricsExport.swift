import Metrics
import Prometheus

/// The process's one metrics backend: swift-metrics → a Prometheus registry, so everything the
/// pipeline records (it only knows swift-metrics) is what `/metrics` exports. swift-metrics can
/// be bootstrapped once per process, hence a lazily-initialised shared value.
public enum MetricsExport {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Reconcile passes take micro- to milliseconds; the default buckets start at 5 ms.
        factory.durationHistogramBuckets["stream_manager_reconcile_duration_seconds"] =
            [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
             .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Installs the backend (idempotent). Call before any metric object is created, or those
    /// created earlier stay with the no-op backend.
    public static func install() { _ = registry }

    /// The Prometheus text exposition of everything recorded so far.
    public static func prometheusText() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
