import Dispatch

/// Runs `body(0..<count)` on every core (at most `count` at once) and returns
/// when all iterations are done.
package func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count == 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// Fixed slots that concurrent iterations write disjointly (slot k by
/// iteration k only), read once they have all finished. The storage is raw
/// memory, so concurrent writes to different slots touch nothing shared.
package final class SendableSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    private let count: Int

    package init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    package subscript(k: Int) -> T {
        get { storage[k]! }
        set { precondition(k >= 0 && k < count); storage[k] = newValue }
    }

    package func values() -> [T] { (0..<count).map { storage[$0]! } }
}

/// A pointer handed to concurrent iterations that read, or write disjoint ranges of, its memory.
package struct SendablePointer<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
