import Foundation
import LeadcalData
import LeadcalModel
import LeadcalScorer

/// Folds a block of parsed signal rows into the leads' decayed sums, on
/// every core, in cache.
///
/// Each core owns a range of leads, so no two cores write one cell. Within
/// its range a core first places its events in buckets of leads whose cells
/// fit in the core's cache (a counting sort: one pass to count, one to place,
/// the events of a bucket kept in file order), then folds bucket after
/// bucket, each in two passes (``SignalTotals/Folder/add(leads:signals:ageDays:values:count:)``:
/// the counts first, a short loop that keeps many of the bucket's cache
/// misses in flight, then the decayed sums from cache). A file in time order
/// (every row a different lead) thus folds nearly as fast as one grouped by
/// lead, and each cell receives its events in file order whatever the number
/// of cores, so the sums do not depend on it.
/// Cost: four passes over the block's events, one ``Exp2`` decay factor per event counted.
enum BlockFold {
    /// Leads per bucket for `signals` cells of 16 bytes a lead: about 512 KiB of cells (half a core's L2 here).
    static func bucketShift(signals: Int) -> Int {
        var shift = 6
        while (1 << (shift + 1)) * max(signals, 1) * 16 <= 512 << 10 { shift += 1 }
        return shift
    }

    /// Folds `batches` (their types mapped to the model's signal indices by
    /// `maps`, −1 for a type the model does not read) at reading time `asOf`.
    static func fold(_ batches: [SignalStream.Batch], maps: [[Int32]], asOf: Double, into totals: inout SignalTotals) {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let leadCount = totals.leads
        let shift = bucketShift(signals: totals.signals)
        let shared = SendablePointer((batches, maps))
        totals.withFolder { folder in
            let late = SendableSlots<Int>(count: cores)
            parallelFor(cores) { t in
                let (batches, maps) = shared.value
                let lo = leadCount * t / cores, hi = leadCount * (t + 1) / cores
                let buckets = ((hi - lo) >> shift) + 1
                // 1. Count the core's events per bucket.
                var start = [Int](repeating: 0, count: buckets + 1)
                for (b, batch) in batches.enumerated() {
                    let map = maps[b]
                    for e in batch.lead.indices {
                        let lead = Int(batch.lead[e])
                        if lead >= lo && lead < hi && map[Int(batch.type[e])] >= 0 { start[((lead - lo) >> shift) + 1] += 1 }
                    }
                }
                for k in 0..<buckets { start[k + 1] += start[k] }
                // 2. Place them, in file order within each bucket.
                let total = start[buckets]
                var next = start
                var lead = [Int32](repeating: 0, count: total), signal = [Int32](repeating: 0, count: total)
                var age = [Double](repeating: 0, count: total), value = [Double](repeating: 0, count: total)
                for (b, batch) in batches.enumerated() {
                    let map = maps[b]
                    for e in batch.lead.indices {
                        let l = Int(batch.lead[e])
                        guard l >= lo && l < hi else { continue }
                        let s = map[Int(batch.type[e])]
                        if s < 0 { continue }
                        let k = (l - lo) >> shift
                        let at = next[k]
                        next[k] = at + 1
                        lead[at] = Int32(l)
                        signal[at] = s
                        age[at] = (asOf - batch.time[e]) / 86400
                        value[at] = batch.value[e]
                    }
                }
                // 3. Fold, a bucket (a cache's worth of cells) at a time.
                var count = 0
                lead.withUnsafeBufferPointer { lead in
                signal.withUnsafeBufferPointer { signal in
                age.withUnsafeBufferPointer { age in
                value.withUnsafeBufferPointer { value in
                    for k in 0..<buckets where start[k + 1] > start[k] {
                        let a = start[k]
                        count += folder.add(leads: lead.baseAddress! + a, signals: signal.baseAddress! + a, ageDays: age.baseAddress! + a,
                                            values: value.baseAddress! + a, count: start[k + 1] - a)
                    }
                }
                }
                }
                }
                late[t] = count
            }
            return late.values().reduce(0, +)
        }
    }
}
