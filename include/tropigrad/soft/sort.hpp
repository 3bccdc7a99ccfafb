#pragma once
// soft_sort and soft_rank (Blondel et al. 2020, "Fast Differentiable Sorting and
// Ranking"): the projection of a scaled input onto a permutahedron, which
// reduces to a sort plus a decreasing isotonic regression solved by PAV
// (soft/pav.hpp). One tape node per call, batched over the lines of a Tensor
// (axis 1: each row; axis 0: each column).
//
// With u sorted decreasingly as u_1 >= ... >= u_n (u = x for an ascending rank or a
// descending sort, u = -x otherwise),
// rank targets w_1 >= ... >= w_n (default n, n-1, ..., 1), rho = (n, ..., 1), and
// eps = strength > 0, the solution is piecewise over PAV blocks B:
//   soft_rank l2:  out(u_i) = mean_B(w) + (u_i - mean_B(u)) / eps
//   soft_rank kl:  out(u_i) = sum_B(w) * softmax(u_B / eps)_i
//   soft_sort l2:  out_i = mean_B(u) + (rho_i - mean_B(rho)) / eps
//   soft_sort kl:  out_i = LSE(u_B) + log softmax(rho_B / eps)_i     (the log of a soft sort of exp(u))
// (soft_sort returns sign * out, so that ascending sorts ascend). A singleton
// block gives exactly the hard value, so small strengths reproduce the hard sort
// and rank to the last bit. Nothing is ever divided by eps outside a pooled block,
// and kl works in the log domain, so strengths from 1e-6 to 1e3 give no NaN.
// Backward, O(n): l2 pools the gradient by block means, kl by block softmaxes.
//
// strength = 0 is the exact hard sort / rank (tied values share their mean rank,
// the limit of the soft rank); the gradient of the hard sort is the permutation,
// that of the hard rank is zero.
//
// Throws std::invalid_argument for a NaN or infinite entry (naming the row or
// column and the index), a strength that is negative or not finite, an axis
// other than 0 or 1, or rank weights of the wrong length, not finite, or
// negative with kl. An empty line gives an empty result.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../ad/tensor_grad_access.hpp"
#include "../ad/tensor_sum.hpp"
#include "../semiring/errors.hpp"
#include "pav.hpp"

namespace tropigrad {

enum class Regularization { l2, kl };
enum class SortDirection { ascending, descending };

struct SoftSortOptions {
  double strength = 1.0;  ///< regularisation strength eps >= 0; 0 is the hard sort/rank
  Regularization regularization = Regularization::l2;
  SortDirection direction = SortDirection::ascending;
  int axis = 1;  ///< 1: sort each row; 0: sort each column
};

namespace detail {

/// Scratch reused by every call on this thread: no allocation once it has grown.
struct SortScratch {
  std::vector<std::uint64_t> packed;  // float keys with their index, one 64-bit word each
  std::vector<std::pair<double, std::int32_t>> pairs;
  std::vector<double> key, y, s1, s2, w;
  std::vector<std::int32_t> perm, ends;

  void reserve(std::size_t n) {
    if (key.size() >= n) return;
    packed.resize(n);
    pairs.resize(n);
    for (auto* v : {&key, &y, &s1, &s2, &w}) v->resize(n);
    perm.resize(n);
    ends.resize(n);
  }
};
inline SortScratch& sort_scratch() {
  thread_local SortScratch s;
  return s;
}

/// Where a line of a rows x cols array lives: line l, position i is data[l * line_step + i * step].
struct LineLayout {
  Index lines, n, line_step, step;
  LineLayout(Index rows, Index cols, int axis)
      : lines(axis == 1 ? rows : cols), n(axis == 1 ? cols : rows), line_step(axis == 1 ? cols : 1),
        step(axis == 1 ? 1 : cols) {}
  Index at(Index line, Index i) const { return line * line_step + i * step; }
};

/// Sorts sign * x over one line decreasingly: key[i] = the i-th largest value, perm[i] = its position.
/// Throws for a NaN or infinite entry, naming it.
template <class T>
void sort_line_decreasing(const T* x, const LineLayout& L, Index line, T sign, SortScratch& s, const char* where,
                          int axis) {
  const Index n = L.n;
  const T* base = x + line * L.line_step;
  for (Index i = 0; i < n; ++i) {
    const T v = base[i * L.step];
    if (!std::isfinite(v)) [[unlikely]]
      throw_invalid(where, std::string("x must be finite, got ") + format_number(static_cast<double>(v)) + " at " +
                               (axis == 1 ? "row " : "column ") + std::to_string(line) + ", index " +
                               std::to_string(i));
  }
  if constexpr (sizeof(T) == 4) {
    // A float and its index packed into one word whose unsigned order is the float order:
    // std::sort on plain integers is as fast as on the floats themselves.
    for (Index i = 0; i < n; ++i) {
      const float v = static_cast<float>(sign * base[i * L.step]) + 0.0f;  // + 0 turns -0 into +0
      std::uint32_t b;
      std::memcpy(&b, &v, 4);
      b = (b & 0x80000000u) ? ~b : (b | 0x80000000u);
      s.packed[i] = (static_cast<std::uint64_t>(b) << 32) | static_cast<std::uint32_t>(i);
    }
    std::sort(s.packed.begin(), s.packed.begin() + n, std::greater<>());
    for (Index i = 0; i < n; ++i) {
      std::uint32_t b = static_cast<std::uint32_t>(s.packed[i] >> 32);
      b = (b & 0x80000000u) ? (b & 0x7fffffffu) : ~b;
      float v;
      std::memcpy(&v, &b, 4);
      s.key[i] = v;
      s.perm[i] = static_cast<std::int32_t>(s.packed[i] & 0xffffffffu);
    }
  } else {
    for (Index i = 0; i < n; ++i) s.pairs[i] = {static_cast<double>(sign * base[i * L.step]), static_cast<std::int32_t>(i)};
    std::sort(s.pairs.begin(), s.pairs.begin() + n, [](const auto& a, const auto& b) { return a.first > b.first; });
    for (Index i = 0; i < n; ++i) {
      s.key[i] = s.pairs[i].first;
      s.perm[i] = s.pairs[i].second;
    }
  }
}

/// The soft sort / soft rank op. `weights` (empty: n, n-1, ..., 1) are the rank targets.
/// `caller` names the public function in error messages (default: soft_rank / soft_sort).
template <class T>
Tensor<T> permutahedron_op(bool rank, const Tensor<T>& x, std::span<const T> weights, const SoftSortOptions& opt,
                           const char* caller = nullptr) {
  const char* name = caller != nullptr ? caller : rank ? "soft_rank" : "soft_sort";
  const std::string where_text = std::string("tropigrad::") + name;
  const char* where = where_text.c_str();
  check_axis(name, opt.axis);
  if (!(std::isfinite(opt.strength) && opt.strength >= 0))
    throw_invalid(where, "strength must be a finite number >= 0 (0 gives the hard " + std::string(rank ? "rank" : "sort") +
                             "), got " + format_number(opt.strength));
  if (opt.regularization != Regularization::l2 && opt.regularization != Regularization::kl)
    throw_invalid(where, "regularization must be Regularization::l2 or Regularization::kl, got " +
                             std::to_string(static_cast<int>(opt.regularization)));
  TensorData<T>* in = &x.data();
  const LineLayout L(in->rows, in->cols, opt.axis);
  const Index n = L.n;
  if (n > Index(INT32_MAX)) throw_invalid(where, "lines longer than 2^31 - 1 entries are not supported, got " + std::to_string(n));
  const bool kl = opt.regularization == Regularization::kl;
  const double eps = opt.strength;
  // u = sign * x is sorted decreasingly: an ascending rank gives the largest x the largest
  // target, and an ascending sort is minus the decreasing sort of -x.
  const bool descending = opt.direction == SortDirection::descending;
  const T sign = (rank != descending) ? T(1) : T(-1);

  SortScratch& s = sort_scratch();
  s.reserve(static_cast<std::size_t>(n));
  if (!weights.empty()) {
    if (static_cast<Index>(weights.size()) != n)
      throw_invalid(where, "weights must have one entry per element of a line (" + std::to_string(n) + "), got " +
                               std::to_string(weights.size()));
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const double wi = static_cast<double>(weights[i]);
      if (!std::isfinite(wi) || (kl && wi < 0))
        throw_invalid(where, std::string("weights must be finite") + (kl ? " and >= 0 with kl regularization" : "") +
                                 ", got " + format_number(wi) + " at index " + std::to_string(i));
      s.w[i] = wi;
    }
    std::sort(s.w.begin(), s.w.begin() + n, std::greater<>());
  } else {
    for (Index i = 0; i < n; ++i) s.w[i] = static_cast<double>(n - i);
  }

  Tensor<T> out = new_result<T>(in->rows, in->cols, in->requires_grad);
  const bool keep = out.data().requires_grad;
  // Kept for the backward pass, in the arena: the sorting permutation and the
  // PAV block ends of every line (and the block softmax for kl soft_sort).
  Arena& arena = tape<T>().arena();
  const std::size_t total = static_cast<std::size_t>(L.lines * n);
  std::int32_t* perm_all = keep ? arena.allocate_array<std::int32_t>(total) : nullptr;
  std::int32_t* ends_all = keep && eps > 0 ? arena.allocate_array<std::int32_t>(total) : nullptr;
  std::int32_t* nblocks = keep && eps > 0 ? arena.allocate_array<std::int32_t>(static_cast<std::size_t>(L.lines)) : nullptr;
  T* softmax_all = keep && eps > 0 && kl && !rank ? arena.allocate_array<T>(total) : nullptr;

  const T* xv = in->value;
  T* o = out.data().value;
  double* const key = s.key.data();
  const double* const w = s.w.data();
  for (Index line = 0; line < L.lines; ++line) {
    sort_line_decreasing(xv, L, line, sign, s, where, opt.axis);
    const std::int32_t* perm = s.perm.data();
    T* ob = o + line * L.line_step;
    auto out_at = [&](Index i) -> T& { return rank ? ob[perm[i] * L.step] : ob[i * L.step]; };
    if (keep) std::copy(perm, perm + n, perm_all + line * n);
    if (eps == 0) {
      if (rank) {
        // Tied values share the mean of their targets: the eps -> 0 limit of the soft rank.
        for (Index b = 0; b < n;) {
          Index e = b + 1;
          double sw = w[b];
          while (e < n && key[e] == key[b]) sw += w[e++];
          for (Index i = b; i < e; ++i) out_at(i) = static_cast<T>(sw / static_cast<double>(e - b));
          b = e;
        }
      } else {
        for (Index i = 0; i < n; ++i) out_at(i) = sign * static_cast<T>(key[i]);
      }
      continue;
    }
    std::int32_t* ends = keep ? ends_all + line * n : s.ends.data();
    std::int32_t nb;
    const std::int32_t n32 = static_cast<std::int32_t>(n);
    if (!kl) {
      // Scaled by eps, so that no input is divided by a small eps.
      for (Index i = 0; i < n; ++i) s.y[i] = rank ? key[i] - eps * w[i] : static_cast<double>(n - i) - eps * key[i];
      nb = isotonic_l2_blocks(s.y.data(), n32, ends, s.s1.data());
    } else {
      for (Index i = 0; i < n; ++i) {
        s.y[i] = rank ? key[i] : static_cast<double>(n - i);
        s.s2[i] = rank ? (w[i] > 0 ? std::log(w[i]) : -std::numeric_limits<double>::infinity()) : key[i];
      }
      // s.s2 is read before it is overwritten: the stack never runs ahead of the input.
      nb = isotonic_kl_blocks(s.y.data(), s.s2.data(), eps, n32, ends, s.s1.data(), s.s2.data());
    }
    if (keep) nblocks[line] = nb;
    Index b = 0;
    for (std::int32_t k = 0; k < nb; ++k) {
      const Index e = ends[k];
      if (e - b == 1) {
        out_at(b) = rank ? static_cast<T>(w[b]) : sign * static_cast<T>(key[b]);
        if (softmax_all) softmax_all[line * n + b] = T(1);
        b = e;
        continue;
      }
      const double len = static_cast<double>(e - b);
      if (!kl) {
        double sa = 0, sb = 0;  // means of the block's u and of its targets (w or rho)
        for (Index i = b; i < e; ++i) sa += key[i];
        if (rank) {
          for (Index i = b; i < e; ++i) sb += w[i];
        } else {
          sb = len * (static_cast<double>(n - b) + static_cast<double>(n - e + 1)) / 2;
        }
        const double ma = sa / len, mb = sb / len;
        for (Index i = b; i < e; ++i)
          out_at(i) = rank ? static_cast<T>(mb + (key[i] - ma) / eps)
                           : sign * static_cast<T>(ma + (static_cast<double>(n - i) - mb) / eps);
      } else if (rank) {
        // sum_B(w) * softmax(u_B / eps); u is decreasing, so u_b is the block max.
        double z = 0, sw = 0;
        for (Index i = b; i < e; ++i) {
          z += std::exp((key[i] - key[b]) / eps);
          sw += w[i];
        }
        const double scale = sw / z;
        for (Index i = b; i < e; ++i) out_at(i) = static_cast<T>(scale * std::exp((key[i] - key[b]) / eps));
      } else {
        // LSE(u_B) + log softmax(rho_B / eps)_i; rho_i - rho_b = b - i.
        double z = 0, zr = 0;
        for (Index i = b; i < e; ++i) {
          z += std::exp(key[i] - key[b]);
          zr += std::exp(static_cast<double>(b - i) / eps);
        }
        const double lse_u = key[b] + std::log(z), log_zr = std::log(zr);
        for (Index i = b; i < e; ++i) {
          out_at(i) = sign * static_cast<T>(lse_u + static_cast<double>(b - i) / eps - log_zr);
          if (softmax_all) softmax_all[line * n + i] = static_cast<T>(std::exp(key[i] - lse_u));
        }
      }
      b = e;
    }
  }

  const T inv_eps = eps > 0 ? static_cast<T>(1 / eps) : T(0);
  const T* out_values = o;
  record_backward(name, out, [x, in, L, rank, kl, eps, inv_eps, sign, perm_all, ends_all, nblocks, softmax_all,
                              out_values](const auto& g) {
    scatter_grad(*in, [&](auto dx) {
      T* d = dx.data();
      const T* gv = g.data();
      const Index n = L.n;
      for (Index line = 0; line < L.lines; ++line) {
        const std::int32_t* perm = perm_all + line * n;
        const Index base = line * L.line_step;
        auto src = [&](Index i) { return base + perm[i] * L.step; };  // input (and rank output) position
        auto pos = [&](Index i) { return base + i * L.step; };        // sort output position
        if (eps == 0) {
          if (!rank)
            for (Index i = 0; i < n; ++i) d[src(i)] += gv[pos(i)];
          continue;
        }
        const std::int32_t* ends = ends_all + line * n;
        Index b = 0;
        for (std::int32_t k = 0; k < nblocks[line]; ++k) {
          const Index e = ends[k];
          if (e - b == 1) {
            if (!rank) d[src(b)] += gv[pos(b)];  // a singleton of soft_rank is constant
            b = e;
            continue;
          }
          const T len = static_cast<T>(e - b);
          if (rank && !kl) {
            T m = 0;
            for (Index i = b; i < e; ++i) m += gv[src(i)];
            m /= len;
            for (Index i = b; i < e; ++i) d[src(i)] += sign * (gv[src(i)] - m) * inv_eps;
          } else if (rank) {
            // out = W p, p = softmax(u_B / eps): d u_j = out_j (g_j - <out, g> / W) / eps.
            T sw = 0, sg = 0;
            for (Index i = b; i < e; ++i) {
              sw += out_values[src(i)];
              sg += out_values[src(i)] * gv[src(i)];
            }
            const T t = sw > 0 ? sg / sw : T(0);
            for (Index i = b; i < e; ++i) d[src(i)] += sign * out_values[src(i)] * (gv[src(i)] - t) * inv_eps;
          } else if (!kl) {
            T m = 0;
            for (Index i = b; i < e; ++i) m += gv[pos(i)];
            m /= len;
            for (Index i = b; i < e; ++i) d[src(i)] += m;
          } else {
            T sg = 0;
            for (Index i = b; i < e; ++i) sg += gv[pos(i)];
            for (Index i = b; i < e; ++i) d[src(i)] += softmax_all[line * n + i] * sg;
          }
          b = e;
        }
      }
    });
  });
  return out;
}

}  // namespace detail

/// Soft sort of each row (axis 1) or column (axis 0) of x; see the file comment.
template <class T>
Tensor<T> soft_sort(const Tensor<T>& x, const SoftSortOptions& options = {}) {
  return detail::permutahedron_op<T>(false, x, {}, options);
}

/// Soft rank (1 = smallest when ascending) of each row or column of x.
template <class T>
Tensor<T> soft_rank(const Tensor<T>& x, const SoftSortOptions& options = {}) {
  return detail::permutahedron_op<T>(true, x, {}, options);
}

/// Weighted soft rank: the hard limit gives the element with the k-th smallest
/// value (ascending) the k-th smallest weight, so weights 1..n give soft_rank,
/// DCG discounts give a soft DCG gain, and k ones among zeros a soft top-k
/// indicator. The result is the projection onto the permutahedron of `weights`
/// (one per element of a line, in any order; >= 0 for kl).
template <class T>
Tensor<T> soft_rank(const Tensor<T>& x, std::span<const T> weights, const SoftSortOptions& options = {}) {
  if (weights.empty() && (options.axis == 1 ? x.cols() : x.rows()) != 0)
    throw_invalid("tropigrad::soft_rank", "weights is empty; pass one weight per element of a line");
  return detail::permutahedron_op<T>(true, x, weights, options);
}

}  // namespace tropigrad
