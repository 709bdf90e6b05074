import Dispatch

/// Runs `body(0..<count)` on every core (at most `count` at once) and returns
/// when all iterations are done.
public func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count == 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// Fixed slots that concurrent iterations write disjointly (slot k by iteration k only).
public final class SendableSlots<T>: @unchecked Sendable {
    private var storage: [T?]
    public init(count: Int) { storage = Array(repeating: nil, count: count) }
    public subscript(k: Int) -> T {
        get { storage[k]! }
        set { storage.withUnsafeMutableBufferPointer { $0[k] = newValue } }
    }
    public func values() -> [T] { storage.map { $0! } }
}

/// A pointer handed to concurrent iterations that read, or write disjoint ranges of, its memory.
public struct SendablePointer<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
