#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// vpdpbusd on eight 32-bit lanes: `acc + Σ u[4i..<4i+4] · s[4i..<4i+4]` per lane (u unsigned,
/// s signed bytes), without saturation. AVX-VNNI encodes it with VEX (`AVXVNNIDotProduct`, module
/// KernelsAVXVNNI), AVX-512 VNNI with EVEX on the same 256-bit registers (module
/// KernelsAVX512VNNI), and AVX2 computes it with two vpmaddwd (`AVX2DotProduct`); the packed
/// bodies generic over it are specialized in each module with its own ISA flags.
public protocol DotProduct8 {
    /// How the set requantizes two whole blocks of eight channels at once.
    associatedtype BlockPairRequantizer: RequantizesBlockPairs
    static func dot(_ acc: __m256i, _ u: __m256i, _ s: __m256i) -> __m256i
}

/// The requantization of sixteen output channels `o ..< o + 16` (two whole blocks of eight),
/// prepared once per pair of blocks: exactly `ChannelRequantization.apply`, then the output zero
/// point and the clamp, as `Requantize8AVX2` (the bias is already in the sums).
public protocol RequantizesBlockPairs {
    init(_ q: ChannelRequantization, channel o: Int, outputZeroPoint: Int32, min lo: Int32, max hi: Int32)
    /// One pixel's sums of the two blocks (`low`: channels o ..< o + 8), stored at `out + o`.
    func store(_ low: __m256i, _ high: __m256i, to out: UnsafeMutablePointer<Int8>)
}

/// Two `Requantize8AVX2`, one per block: the pair requantization of the AVX2 and AVX-VNNI sets.
@frozen public struct RequantizeBlockPairAVX2: RequantizesBlockPairs {
    @usableFromInline let low, high: Requantize8AVX2
    @usableFromInline let channel: Int

    @inlinable @inline(__always)
    public init(_ q: ChannelRequantization, channel o: Int, outputZeroPoint: Int32, min lo: Int32, max hi: Int32) {
        low = Requantize8AVX2(q, channel: o, bias: nil, outputZeroPoint: outputZeroPoint, min: lo, max: hi)
        high = Requantize8AVX2(q, channel: o + 8, bias: nil, outputZeroPoint: outputZeroPoint, min: lo, max: hi)
        channel = o
    }

    @inlinable @inline(__always)
    public func store(_ low: __m256i, _ high: __m256i, to out: UnsafeMutablePointer<Int8>) {
        self.low.store(low, to: out + channel)
        self.high.store(high, to: out + channel + 8)
    }
}

/// How a packed kernel stores one pair of blocks of eight output channels (or a lone last block)
/// block by block, prepared once per pair: `Requantize8AVX2` for a whole block, channel by channel
/// for a partial one; the bias is already in the sums. Pairs of whole blocks go through the set's
/// `DotProduct8.BlockPairRequantizer` instead, which the kernels keep beside this (a local, so
/// that its sixteen lanes' parameters are not copied per pixel). Example: 40 channels are the
/// pairs (0–7, 8–15), (16–23, 24–31) and the lone block 32–39.
@frozen public struct BlockPairStore {
    @usableFromInline let first, second: Requantize8AVX2
    @usableFromInline let q: ChannelRequantization
    @usableFromInline let channels: (Int, Int), rows: (Int, Int)
    @usableFromInline let zeroPoint, lo, hi: Int32

    /// Blocks of `rows` channels from `o0` and `o1` (`o1 == o0` for a lone block).
    @inlinable @inline(__always)
    public init(_ q: ChannelRequantization, channel o0: Int, rows rows0: Int, channel o1: Int, rows rows1: Int,
                outputZeroPoint: Int32, min lo: Int32, max hi: Int32) {
        first = Requantize8AVX2(q, channel: o0, rows: rows0, bias: nil, outputZeroPoint: outputZeroPoint, min: lo, max: hi)
        second = Requantize8AVX2(q, channel: o1, rows: rows1, bias: nil, outputZeroPoint: outputZeroPoint, min: lo, max: hi)
        self.q = q
        channels = (o0, o1)
        rows = (rows0, rows1)
        zeroPoint = outputZeroPoint
        self.lo = lo
        self.hi = hi
    }

    /// The set's pair requantizer for these blocks when both are whole and distinct (it reads
    /// sixteen channels' parameters), else nil.
    @inlinable @inline(__always)
    public func wholePair<Pair: RequantizesBlockPairs>(_: Pair.Type) -> Pair? {
        channels.1 != channels.0 && rows.0 == 8 && rows.1 == 8
            ? Pair(q, channel: channels.0, outputZeroPoint: zeroPoint, min: lo, max: hi) : nil
    }

    /// One pixel's sums of both blocks (`b` ignored for a lone block), stored in its channels at `out`.
    @inlinable @inline(__always)
    public func store(_ a: __m256i, _ b: __m256i, to out: UnsafeMutablePointer<Int8>) {
        @inline(__always) func store(_ acc: __m256i, _ requantize: Requantize8AVX2, _ o: Int, _ rows: Int) {
            if rows == 8 {
                requantize.store(acc, to: out + o)
            } else {
                storeRequantizedTailAVX2(acc, bias: nil, q, channel: o, rows: rows, outputZeroPoint: zeroPoint, min: lo, max: hi, to: out)
            }
        }
        store(a, first, channels.0, rows.0)
        if channels.1 != channels.0 { store(b, second, channels.1, rows.1) }
    }
}

/// Block `b`'s eight biases for `rows` channels from `o` (zero past them, or without a bias): what
/// the packed kernels start their sums from.
@inlinable @inline(__always)
public func blockBiasesAVX2(_ bias: UnsafePointer<Int32>?, channel o: Int, rows: Int) -> __m256i {
    guard let bias else { return _mm256_setzero_si256() }
    let lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(Int32(truncatingIfNeeded: rows)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
    return _mm256_maskload_epi32(UnsafeRawPointer(bias + o).assumingMemoryBound(to: Int32.self), lanes)
}

/// vpdpbusd's arithmetic with AVX2 alone, exact: the even and odd bytes of each 16-bit half
/// are widened apart (u zero-extended, s sign-extended) and two vpmaddwd add the four products
/// (|u·s| ≤ 255·128, so each pair's sum fits int32). Where it pays: stems, whose whole patch is
/// a GEMM of few quads (`conv2dPackedStemDotProduct`), instead of 3/4-empty quads per tap.
/// Example: u = 200, s = −3 in every byte → acc + 4·(−600).
public enum AVX2DotProduct: DotProduct8 {
    public typealias BlockPairRequantizer = RequantizeBlockPairAVX2
    @inlinable @inline(__always)
    public static func dot(_ acc: __m256i, _ u: __m256i, _ s: __m256i) -> __m256i {
        let lowBytes = _mm256_set1_epi16(0x00FF)
        let uEven = _mm256_and_si256(u, lowBytes), uOdd = _mm256_srli_epi16(u, 8)
        let sEven = _mm256_srai_epi16(_mm256_slli_epi16(s, 8), 8), sOdd = _mm256_srai_epi16(s, 8)
        return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(uEven, sEven), _mm256_madd_epi16(uOdd, sOdd)))
    }
}
#endif
