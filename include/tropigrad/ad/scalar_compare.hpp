#pragma once
// Comparisons compare values; they are not differentiated.

#include "var.hpp"

namespace tropigrad {

#define TROPIGRAD_VAR_COMPARISON(op)                                                       \
  template <class T>                                                                       \
  bool operator op(const Var<T>& a, const Var<T>& b) { return a.value() op b.value(); }   \
  template <class T, Arithmetic U>                                                         \
  bool operator op(const Var<T>& a, U b) { return a.value() op static_cast<T>(b); }       \
  template <class T, Arithmetic U>                                                         \
  bool operator op(U a, const Var<T>& b) { return static_cast<T>(a) op b.value(); }

TROPIGRAD_VAR_COMPARISON(==)
TROPIGRAD_VAR_COMPARISON(!=)
TROPIGRAD_VAR_COMPARISON(<)
TROPIGRAD_VAR_COMPARISON(<=)
TROPIGRAD_VAR_COMPARISON(>)
TROPIGRAD_VAR_COMPARISON(>=)

#undef TROPIGRAD_VAR_COMPARISON

}  // namespace tropigrad
