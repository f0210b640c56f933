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
    /// `frontdesk_http_requests_total{status="1xx"…"5xx"}`, made once: creating a `Counter` looks it up
    /// in the registry under a lock, too much for every request. Made on first use, which is after
    /// `bootstrapOnce` (a counter made before it would count nowhere).
    private static let requestCounters = (1...5).map {
        Counter(label: "frontdesk_http_requests_total", dimensions: [("status", "\($0)xx")])
    }

    /// Counts one answered request under its status class.
    static func countRequest(status code: Int) {
        let index = code / 100 - 1
        if requestCounters.indices.contains(index) {
            requestCounters[index].increment()
        } else {
            Counter(label: "frontdesk_http_requests_total", dimensions: [("status", "\(code / 100)xx")]).increment()
        }
    }

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
