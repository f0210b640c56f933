import FrontdeskStore
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

extension FrontdeskMetrics {
    /// The outbox's rows per status, read when `/metrics` is scraped: `frontdesk_outbox_messages{status=…}`
    /// (backlog = pending + failed + sending).
    static func refreshOutbox(_ services: AppServices) async {
        guard let counts = try? await OutboxStore(database: services.database).counts() else { return }
        for status in ["pending", "sending", "sent", "failed", "dead"] {
            Gauge(label: "frontdesk_outbox_messages", dimensions: [("status", status)]).record(counts[status] ?? 0)
        }
        let backlog = (counts["pending"] ?? 0) + (counts["failed"] ?? 0) + (counts["sending"] ?? 0)
        Gauge(label: "frontdesk_outbox_backlog").record(backlog)
    }
}
