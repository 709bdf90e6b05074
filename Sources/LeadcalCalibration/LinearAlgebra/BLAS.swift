import CLapack

/// The BLAS and LAPACK routines the calibration uses, in Swift terms.
/// Matrices are row-major and dense; sizes are `Int`. This is the only file
/// that calls into `CLapack`.
enum BLAS {
    /// OpenBLAS runs single-threaded: the solver parallelises over row blocks
    /// itself (OpenBLAS's own threads stall on a busy two-core machine and do
    /// not help at these shapes). Called once before the first BLAS call.
    static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// `c[0..<k, 0..<k] (upper) = alpha * aᵀ a + beta * c` for `a` of `rows × k`
    /// with leading dimension `lda` (dsyrk). Cost: rows · k² flops.
    @inline(__always)
    static func syrkUpper(rows: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double, c: UnsafeMutablePointer<Double>) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(k), Int32(rows), alpha, a, Int32(lda), beta, c, Int32(k))
    }

    /// `y = alpha * a x + beta * y` for `a` of `rows × cols` (dgemv, no transpose).
    @inline(__always)
    static func gemv(rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>, x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta, y, 1)
    }

    /// `y = alpha * aᵀ x + beta * y` for `a` of `rows × cols` (dgemv, transposed).
    @inline(__always)
    static func gemvT(rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>, x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta, y, 1)
    }
}

/// A dense symmetric positive-definite system, factored once by Cholesky.
struct Cholesky {
    /// The upper factor U (row-major k × k, AᵀA = UᵀU).
    private(set) var factor: [Double]
    let k: Int

    /// Factors the symmetric matrix whose upper triangle is in `a` (LAPACKE_dpotrf).
    /// Returns nil when `a` is not positive definite. Cost: k³/3 flops.
    init?(upper a: [Double], k: Int) {
        self.k = k
        factor = a
        if k == 0 { return }
        let info = factor.withUnsafeMutableBufferPointer {
            LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(k), $0.baseAddress, Int32(k))
        }
        if info != 0 { return nil }
    }

    /// Solves A x = b (LAPACKE_dpotrs). Cost: 2k² flops.
    func solve(_ b: [Double]) -> [Double] {
        var x = b
        if k == 0 { return x }
        factor.withUnsafeBufferPointer { f in
            x.withUnsafeMutableBufferPointer { xb in
                _ = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(k), 1, f.baseAddress, Int32(k), xb.baseAddress, 1)
            }
        }
        return x
    }

    /// The full symmetric inverse A⁻¹ (LAPACKE_dpotri, then mirrored). Cost: 2k³/3 flops.
    func inverse() -> [Double] {
        var inv = factor
        if k == 0 { return inv }
        _ = inv.withUnsafeMutableBufferPointer {
            LAPACKE_dpotri(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(k), $0.baseAddress, Int32(k))
        }
        for i in 0..<k { for j in 0..<i { inv[i * k + j] = inv[j * k + i] } }
        return inv
    }
}

/// Rank and pivot order of a symmetric positive semi-definite matrix by
/// Cholesky with complete pivoting (LAPACKE_dpstrf, Higham 2002 §10.3):
/// the columns `pivot[rank...]` are linear combinations of the others.
func pivotedCholeskyRank(upper a: [Double], k: Int, tolerance: Double) -> (rank: Int, pivot: [Int]) {
    guard k > 0 else { return (0, []) }
    var m = a
    var piv = [Int32](repeating: 0, count: k)
    var rank: Int32 = 0
    m.withUnsafeMutableBufferPointer { mb in
        piv.withUnsafeMutableBufferPointer { pb in
            _ = LAPACKE_dpstrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(k), mb.baseAddress, Int32(k), pb.baseAddress, &rank, tolerance)
        }
    }
    return (Int(rank), piv.map { Int($0) - 1 })
}
