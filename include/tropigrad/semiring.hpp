// tropigrad/semiring.hpp — module header: semiring types and concept, stable
// smooth-max kernels, and generic semiring algorithms. Uses the standard
// library and Eigen only; knows nothing of autodiff.
#pragma once

#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/min_max.hpp"
#include "tropigrad/semiring/contiguous.hpp"
#include "tropigrad/semiring/lse.hpp"
#include "tropigrad/semiring/softmax.hpp"
#include "tropigrad/semiring/lse_rows.hpp"
#include "tropigrad/semiring/activations.hpp"
#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/tropical.hpp"
#include "tropigrad/semiring/dot.hpp"
#include "tropigrad/semiring/matmul.hpp"
#include "tropigrad/semiring/matrix_power.hpp"
#include "tropigrad/semiring/closure.hpp"
#include "tropigrad/semiring/bellman_ford.hpp"
#include "tropigrad/semiring/gemm.hpp"
