/// LLVM's prefetch intrinsic (`llvm.prefetch`), declared by its symbol name so
/// that Swift code can emit the CPU's prefetch instruction. The last three
/// arguments must be constants: read (0), keep in all cache levels (3), data (1).
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)

/// Starts loading the cache line holding `address` and returns at once
/// (`prefetcht0` on x86-64, `prfm pldl1keep` on arm64).
///
/// Unlike a load whose value is merely discarded, a prefetch retires
/// immediately: the core keeps executing while the line arrives, so a miss
/// started a few hundred nanoseconds before its data is needed costs nothing.
/// An ordinary load kept "for its side effect" stalls retirement as soon as
/// the reorder buffer fills behind it (a few hundred instructions), which is
/// why a prefetch issued while a row is parsed can hide a miss and a load
/// cannot. It never faults, whatever the address. Cost: one instruction.
@inline(__always)
package func prefetch(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 0, 3, 1)
}
