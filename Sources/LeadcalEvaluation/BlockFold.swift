import Foundation
import LeadcalData
import LeadcalModel
import LeadcalScorer

/// Folds a block of parsed signal rows into the leads' decayed sums, on
/// every core, in cache.
///
/// The parts of a block arrive with their rows sorted by bucket of leads
/// (``SignalStream``), a bucket being leads whose cells fit in a core's
/// cache. Each core owns a range of buckets, so no two cores write one cell,
/// and folds bucket after bucket: the bucket's rows of each part in turn, in
/// two passes (``SignalTotals/Folder/add(leads:signals:ageDays:values:count:)``:
/// the counts first, a short loop that keeps many of the bucket's cache
/// misses in flight, then the decayed sums from cache). A file in time order
/// (every row a different lead) thus folds nearly as fast as one grouped by
/// lead, and each cell receives its events in file order (part after part,
/// each in file order) whatever the number of cores, so the sums do not
/// depend on it. Cost: two passes over the block's kept rows, one ``Exp2``
/// decay factor per row before the reading time.
enum BlockFold {
    /// Leads per bucket for `signals` cells of 16 bytes a lead: about 512 KiB of cells (half a core's L2 here).
    static func bucketShift(signals: Int) -> Int {
        var shift = 6
        while (1 << (shift + 1)) * max(signals, 1) * 16 <= 512 << 10 { shift += 1 }
        return shift
    }

    /// Folds `batches` (the parts of one block, in file order) into `totals`.
    static func fold(_ batches: [SignalStream.Batch], into totals: inout SignalTotals) {
        guard let buckets = batches.first.map({ $0.bucketStart.count - 1 }) else { return }
        let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, buckets))
        let shared = SendablePointer(batches)
        totals.withFolder { folder in
            let late = SendableSlots<Int>(count: cores)
            parallelFor(cores) { t in
                var count = 0
                for k in (buckets * t / cores)..<(buckets * (t + 1) / cores) {
                    for batch in shared.value {
                        let a = batch.bucketStart[k], b = batch.bucketStart[k + 1]
                        guard b > a else { continue }
                        count += folder.add(leads: batch.lead + a, signals: batch.signal + a, ageDays: batch.age + a, values: batch.value + a, count: b - a)
                    }
                }
                late[t] = count
            }
            return late.values().reduce(0, +)
        }
    }
}
