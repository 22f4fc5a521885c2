// Runs independent work items on every core (files are linted this way).
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

enum Parallel {
    /// `items.map(transform)`, in order, spread over the machine's cores.
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        if items.count < 2 { return items.map(transform) }
        let workers = max(1, min(items.count, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        let results = ResultSlots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < items.count {
                results.set(i, transform(items[i]))
                i += workers
            }
        }
        return results.values()
    }
}

/// One slot per item; each index is written by exactly one worker, then read after all finish.
private final class ResultSlots<R>: @unchecked Sendable {
    private var slots: [R?]
    private var lock = pthread_mutex_t()
    init(count: Int) {
        slots = Array(repeating: nil, count: count)
        pthread_mutex_init(&lock, nil)
    }
    deinit { pthread_mutex_destroy(&lock) }
    func set(_ i: Int, _ value: R) {
        pthread_mutex_lock(&lock)
        slots[i] = value
        pthread_mutex_unlock(&lock)
    }
    func values() -> [R] { slots.map { $0! } }
}
