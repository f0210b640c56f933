import Metrics
import Synchronization

/// Counts transaction retries for tests (`value`) and for `/metrics`.
final class RetryCounter: Sendable {
    private let count = Mutex(0)
    private let metric: Counter

    init(backend: Backend) {
        metric = Counter(label: "frontdesk_db_transaction_retries_total", dimensions: [("backend", backend.rawValue)])
    }

    func increment() {
        count.withLock { $0 += 1 }
        metric.increment()
    }

    var value: Int { count.withLock { $0 } }
}
