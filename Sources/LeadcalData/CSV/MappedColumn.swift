#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed-capacity column of trivial values in its own anonymous memory
/// mapping.
///
/// Capacity is virtual: pages are only backed once written, so a part of a
/// CSV can reserve room for the most rows it could hold without cost, never
/// regrows (no copies), and gives its memory back to the system as soon as it
/// is released (which `malloc` does not promise for mid-sized blocks).
final class MappedColumn<T: BitwiseCopyable>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    private let bytes: Int
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        bytes = self.capacity * MemoryLayout<T>.stride
        guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
            fatalError("cannot map \(bytes) bytes")
        }
        base = p.bindMemory(to: T.self, capacity: self.capacity)
    }

    deinit { munmap(base, bytes) }

    @inline(__always) func append(_ v: T) {
        precondition(count < capacity)
        base[count] = v
        count += 1
    }

    var buffer: UnsafeBufferPointer<T> { UnsafeBufferPointer(start: base, count: count) }
}
