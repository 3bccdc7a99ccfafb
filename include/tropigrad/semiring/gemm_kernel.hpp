// tropigrad/semiring/gemm_kernel.hpp
//
// Internal: the packed, register-tiled kernel behind gemm() for the idempotent
// semirings MaxPlus (⊕ = max) and MinPlus (⊕ = min), with ⊗ = +.
//
// Layout follows the BLIS/GotoBLAS scheme: for each block of KC inner indices,
// B is packed into panels of NR columns (k-major, NR contiguous values per k)
// and, for each block of MC rows, A into panels of MR rows (MR values per k).
// The micro-kernel keeps an MR x NR tile of C in registers as Eigen packets
// (Eigen picks SSE/AVX2/AVX-512/NEON at compile time, so the code is ISA
// independent) and does one packet add and one packet max/min per element pair:
// the tropical product has no fused instruction, so its ceiling is about half
// an FMA GEMM's.
//
// Padding of partial panels uses the semiring zero (-inf for max, +inf for
// min), which never wins and never meets the opposite infinity.
//
// The argmax variant ("Record") tracks, per output, the first chunk of
// kChunk inner indices that strictly improved the value; a post-pass then
// rescans that chunk only to find the first k with A(i,k) + B(k,j) == C(i,j)
// (exact: the kernel formed the same float sum). This costs a few percent of
// the plain kernel instead of doubling its work, and ties go to the lowest k.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <thread>
#include <vector>

#include <Eigen/Core>

namespace tropigrad::detail::gemm_kernel {

using Index = Eigen::Index;

template <class T>
using Packet = typename Eigen::internal::packet_traits<T>::type;

template <class T>
inline constexpr int packet_size = Eigen::internal::unpacket_traits<Packet<T>>::size;

/// ⊕ = max. better(x, old) is the lane mask of x > old (strict: earlier k keep ties).
struct MaxCombine {
  template <class T>
  static constexpr T zero() {
    return -std::numeric_limits<T>::infinity();
  }
  template <class P>
  static P combine(const P& acc, const P& x) {
    return Eigen::internal::pmax(acc, x);
  }
  template <class P>
  static P better(const P& x, const P& old) {
    return Eigen::internal::pcmp_lt(old, x);
  }
};

/// ⊕ = min.
struct MinCombine {
  template <class T>
  static constexpr T zero() {
    return std::numeric_limits<T>::infinity();
  }
  template <class P>
  static P combine(const P& acc, const P& x) {
    return Eigen::internal::pmin(acc, x);
  }
  template <class P>
  static P better(const P& x, const P& old) {
    return Eigen::internal::pcmp_lt(x, old);
  }
};

/// Tile and block sizes. NR = 2 packets keeps two loads of B per k; MR is as
/// large as the register file allows (MR * 2 accumulators + 3 temporaries).
template <class T>
struct Tiling {
  static constexpr int vectors = 2;
  static constexpr int nr = vectors * packet_size<T>;
  static constexpr bool wide_register_file = int(EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS) >= 32;
  static constexpr int mr = wide_register_file ? 12 : 6;
  static constexpr int mr_record = wide_register_file ? 8 : 4;  // leaves registers for the chunk bookkeeping
  static constexpr Index chunk = 32;   // argmax granularity (inner indices)
  static constexpr Index kc = 256;     // a multiple of chunk
  static constexpr Index mc = 96;      // rows of A per packed block (stays in L2); a multiple of both mr
  template <bool Record>
  static constexpr int rows = Record ? mr_record : mr;
};

template <class T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;

/// C tile (MR x NR at c, row stride ldc) ⊕= A panel ⊗ B panel over kc inner
/// indices. With Record, idx (same layout as c) receives the global chunk
/// number of the last strict improvement, chunk_base being that of k = 0.
template <class T, class Op, bool Record, int MR>
EIGEN_ALWAYS_INLINE void micro_kernel(Index kc, const T* __restrict a, const T* __restrict b, T* c, Index ldc,
                                      T* idx, Index chunk_base) {
  using P = Packet<T>;
  using Eigen::internal::padd;
  using Eigen::internal::pload;
  using Eigen::internal::ploadu;
  using Eigen::internal::pset1;
  using Eigen::internal::pstoreu;
  constexpr int W = packet_size<T>;
  constexpr int NV = Tiling<T>::vectors;
  constexpr int NR = Tiling<T>::nr;
  P acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = ploadu<P>(c + i * ldc + v * W);
  auto steps = [&](Index from, Index to) {
    for (Index p = from; p < to; ++p) {
      P bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = pload<P>(b + p * NR + v * W);
      for (int i = 0; i < MR; ++i) {
        const P ai = pset1<P>(a[p * MR + i]);
        for (int v = 0; v < NV; ++v) acc[i][v] = Op::combine(acc[i][v], padd(ai, bv[v]));
      }
    }
  };
  if constexpr (!Record) {
    steps(0, kc);
  } else {
    constexpr Index chunk = Tiling<T>::chunk;
    for (Index from = 0; from < kc; from += chunk) {
      steps(from, std::min(kc, from + chunk));
      const P number = pset1<P>(static_cast<T>(chunk_base + from / chunk));
      for (int i = 0; i < MR; ++i)
        for (int v = 0; v < NV; ++v) {
          const P old = ploadu<P>(c + i * ldc + v * W);
          const P mask = Op::better(acc[i][v], old);
          pstoreu(idx + i * ldc + v * W, Eigen::internal::pselect(mask, number, ploadu<P>(idx + i * ldc + v * W)));
          pstoreu(c + i * ldc + v * W, acc[i][v]);
        }
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) pstoreu(c + i * ldc + v * W, acc[i][v]);
}

/// Packs rows [i0, i0 + rows) x inner [p0, p0 + kc) of A into MR-row panels,
/// padding missing rows with the semiring zero.
template <class T, class Op, int MR, class MA>
void pack_a(const MA& A, Index i0, Index rows, Index p0, Index kc, T* out) {
  for (Index ip = 0; ip < rows; ip += MR) {
    const Index mr = std::min<Index>(MR, rows - ip);
    T* panel = out + ip * kc;
    for (Index p = 0; p < kc; ++p) {
      for (Index i = 0; i < mr; ++i) panel[p * MR + i] = A.coeff(i0 + ip + i, p0 + p);
      for (Index i = mr; i < MR; ++i) panel[p * MR + i] = Op::template zero<T>();
    }
  }
}

/// Packs inner [p0, p0 + kc) x all columns of B into NR-column panels.
template <class T, class Op, class MB>
void pack_b(const MB& B, Index p0, Index kc, T* out) {
  constexpr int NR = Tiling<T>::nr;
  const Index n = B.cols();
  for (Index jp = 0; jp < n; jp += NR) {
    const Index nr = std::min<Index>(NR, n - jp);
    T* panel = out + jp * kc;
    for (Index p = 0; p < kc; ++p) {
      for (Index j = 0; j < nr; ++j) panel[p * NR + j] = B.coeff(p0 + p, jp + j);
      for (Index j = nr; j < NR; ++j) panel[p * NR + j] = Op::template zero<T>();
    }
  }
}

/// C (m x n, row-major at c with row stride ldc) = A ⊗ B; with Record, idx
/// (same layout) receives the winning chunk of each output.
template <class T, class Op, bool Record, class MA, class MB>
void tropical_gemm_serial(const MA& A, const MB& B, T* c, Index ldc, T* idx) {
  using Tl = Tiling<T>;
  constexpr int MR = Tl::template rows<Record>;
  constexpr int NR = Tl::nr;
  const Index m = A.rows(), n = B.cols(), k = A.cols();
  for (Index i = 0; i < m; ++i) {
    std::fill(c + i * ldc, c + i * ldc + n, Op::template zero<T>());
    if constexpr (Record) std::fill(idx + i * ldc, idx + i * ldc + n, T(0));
  }
  if (m == 0 || n == 0 || k == 0) return;
  const Index n_padded = (n + NR - 1) / NR * NR;
  AlignedVector<T> packed_b(static_cast<std::size_t>(Tl::kc * n_padded));
  AlignedVector<T> packed_a(static_cast<std::size_t>(Tl::kc * Tl::mc));
  alignas(64) T tile[MR * NR];
  alignas(64) T tile_idx[MR * NR];
  for (Index p0 = 0; p0 < k; p0 += Tl::kc) {
    const Index kc = std::min<Index>(Tl::kc, k - p0);
    const Index chunk_base = p0 / Tl::chunk;
    pack_b<T, Op>(B, p0, kc, packed_b.data());
    for (Index i0 = 0; i0 < m; i0 += Tl::mc) {
      const Index mc = std::min<Index>(Tl::mc, m - i0);
      pack_a<T, Op, MR>(A, i0, mc, p0, kc, packed_a.data());
      for (Index jp = 0; jp < n; jp += NR) {
        const Index nr = std::min<Index>(NR, n - jp);
        const T* bp = packed_b.data() + jp * kc;
        for (Index ip = 0; ip < mc; ip += MR) {
          const Index mr = std::min<Index>(MR, mc - ip);
          const T* ap = packed_a.data() + ip * kc;
          T* ct = c + (i0 + ip) * ldc + jp;
          T* it = Record ? idx + (i0 + ip) * ldc + jp : nullptr;
          // Record mode always runs on the contiguous scratch tile: its chunk
          // bookkeeping touches C and idx often, and rows of a 2^k-wide C
          // alias in L1.
          if (!Record && mr == MR && nr == NR) {
            micro_kernel<T, Op, Record, MR>(kc, ap, bp, ct, ldc, it, chunk_base);
            continue;
          }
          // Edge tile (or Record): run on a scratch tile, copy the valid part back.
          for (Index i = 0; i < MR; ++i)
            for (Index j = 0; j < NR; ++j) {
              const bool inside = i < mr && j < nr;
              tile[i * NR + j] = inside ? ct[i * ldc + j] : Op::template zero<T>();
              if constexpr (Record) tile_idx[i * NR + j] = inside ? it[i * ldc + j] : T(0);
            }
          micro_kernel<T, Op, Record, MR>(kc, ap, bp, tile, NR, tile_idx, chunk_base);
          for (Index i = 0; i < mr; ++i)
            for (Index j = 0; j < nr; ++j) {
              ct[i * ldc + j] = tile[i * NR + j];
              if constexpr (Record) it[i * ldc + j] = tile_idx[i * NR + j];
            }
        }
      }
    }
  }
}

/// Turns the winning chunks into the first winning inner index per output:
/// within the chunk, the smallest p with A(i, p) + B(p, j) == C(i, j), found
/// with packet compares and a min over lane positions (no scalar early exit).
template <class T, class MA, class MB>
void resolve_argmax(const MA& A, const MB& B, const T* c, Index ldc, const T* chunks, std::int32_t* argk,
                    Index ldk) {
  using P = Packet<T>;
  using namespace Eigen::internal;
  constexpr Index chunk = Tiling<T>::chunk;
  constexpr int W = packet_size<T>;
  static_assert(chunk % W == 0);
  using Rows = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Index m = A.rows(), n = B.cols(), k = A.cols();
  const Rows Ar = A;  // contiguous rows of A
  // Contiguous columns of B, transposed in tiles (a plain strided transpose
  // of a 2^k-wide matrix thrashes the TLB and L1 sets).
  Rows Bt(n, k);
  constexpr Index tile = 32;
  for (Index p0 = 0; p0 < k; p0 += tile)
    for (Index j0 = 0; j0 < n; j0 += tile) {
      const Index rows = std::min(tile, k - p0), cols = std::min(tile, n - j0);
      Bt.block(j0, p0, cols, rows) = B.block(p0, j0, rows, cols).transpose();
    }
  alignas(64) T position[chunk];
  for (Index p = 0; p < chunk; ++p) position[p] = static_cast<T>(p);
  // Column blocks outermost: the block's columns of B stay in L2 while every
  // row of A streams past.
  constexpr Index column_block = 64;
  for (Index j0 = 0; j0 < n; j0 += column_block)
  for (Index i = 0; i < m; ++i) {
    const T* a_row = Ar.data() + i * k;
    for (Index j = j0; j < std::min(n, j0 + column_block); ++j) {
      const T target = c[i * ldc + j];
      const Index from = static_cast<Index>(chunks[i * ldc + j]) * chunk;
      const T* a = a_row + from;
      const T* b = Bt.data() + j * k + from;
      Index found = 0;
      if (from + chunk <= k) {
        const P t = pset1<P>(target), none = pset1<P>(T(chunk));
        P best = none;
        for (Index q = 0; q < chunk; q += W) {
          const P hit = pcmp_eq(padd(ploadu<P>(a + q), ploadu<P>(b + q)), t);
          best = pmin(best, pselect(hit, pload<P>(position + q), none));
        }
        const T first = predux_min(best);
        found = first < T(chunk) ? from + static_cast<Index>(first) : 0;
      } else {
        for (Index p = from; p < k; ++p)
          if (a[p - from] + b[p - from] == target) {
            found = p;
            break;
          }
      }
      argk[i * ldk + j] = static_cast<std::int32_t>(found);
    }
  }
}

/// Splits the rows of C into `threads` contiguous blocks (multiples of MR) and
/// runs f(first_row, row_count) on each, the first block on this thread. Each
/// output is computed by the same sequence of operations whatever the thread
/// count, so the result does not depend on it.
template <class T, class F>
void for_row_blocks(Index m, int threads, F&& f) {
  constexpr int MR = Tiling<T>::mr;
  const Index panels = (m + MR - 1) / MR;
  const Index parts = std::max<Index>(1, std::min<Index>(threads, panels));
  if (parts == 1) {
    f(Index(0), m);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(parts));
  auto run = [&](Index part) {
    const Index first = std::min(m, panels * part / parts * MR);
    const Index last = std::min(m, panels * (part + 1) / parts * MR);
    try {
      f(first, last - first);
    } catch (...) {
      errors[static_cast<std::size_t>(part)] = std::current_exception();
    }
  };
  for (Index part = 1; part < parts; ++part) pool.emplace_back(run, part);
  run(0);
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace tropigrad::detail::gemm_kernel
