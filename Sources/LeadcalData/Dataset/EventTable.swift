import LeadcalModel
/// The events that count for training, columnar and grouped by decided lead
/// (compressed sparse rows): the events of row `i` are
/// `rowStart[i] ..< rowStart[i + 1]`, in file order.
///
/// Only events strictly before the row's `as_of`, of a signal type the spec
/// uses, are here; their age is already in days. This is the layout the
/// feature builder streams through once per set of half-lives.
public struct EventTable: Sendable {
    public var rowStart: [Int]
    /// Index into `ModelSpec.signals`.
    public var signal: [Int32]
    /// `(as_of - occurred_at) / 86400`, > 0.
    public var age: [Double]
    public var value: [Double]

    public var rowCount: Int { rowStart.count - 1 }
    public var count: Int { signal.count }

    public init(rowStart: [Int], signal: [Int32], age: [Double], value: [Double]) {
        precondition(signal.count == age.count && age.count == value.count && rowStart.last == signal.count)
        self.rowStart = rowStart
        self.signal = signal
        self.age = age
        self.value = value
    }

    /// Groups the parts' events by row with a stable counting sort, releasing
    /// each part once it is placed. Cost: O(events + rows).
    static func build(rows: Int, parts: inout [SignalPart]) -> EventTable {
        var start = [Int](repeating: 0, count: rows + 1)
        for p in parts { for r in p.row.buffer { start[Int(r) + 1] += 1 } }
        for i in 0..<rows { start[i + 1] += start[i] }
        let total = start[rows]
        var next = start
        // Every slot is written exactly once by the scatter below.
        var signal = [Int32](unsafeUninitializedCapacity: total) { _, n in n = total }
        var age = [Double](unsafeUninitializedCapacity: total) { _, n in n = total }
        var value = [Double](unsafeUninitializedCapacity: total) { _, n in n = total }
        signal.withUnsafeMutableBufferPointer { signal in
            age.withUnsafeMutableBufferPointer { age in
                value.withUnsafeMutableBufferPointer { value in
                    next.withUnsafeMutableBufferPointer { next in
                        for k in parts.indices {
                            let p = parts[k]
                            parts[k] = SignalPart(capacity: 0)  // the part's mappings go once `p` ends
                            let row = p.row.buffer, s = p.signal.buffer, a = p.age.buffer, v = p.value.buffer
                            for e in row.indices {
                                let r = Int(row[e])
                                let at = next[r]
                                next[r] = at + 1
                                signal[at] = s[e]
                                age[at] = a[e]
                                value[at] = v[e]
                            }
                        }
                    }
                }
            }
        }
        return EventTable(rowStart: start, signal: signal, age: age, value: value)
    }
}
