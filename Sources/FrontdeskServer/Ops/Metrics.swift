import Metrics
import Prometheus
import Synchronization

/// The process-wide Prometheus registry. swift-metrics can be bootstrapped once per process, so
/// the first application built installs it and every later one (tests build many) shares it.
enum FrontdeskMetrics {
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    static func bootstrapOnce() {
        bootstrapped.withLock { done in
            guard !done else { return }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
        }
    }
}
