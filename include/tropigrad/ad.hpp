#pragma once
// tropigrad/ad.hpp: reverse-mode automatic differentiation. The tape, scalar
// Var, Eigen-backed Tensor, the differentiable op set and gradcheck.

#include "tropigrad/ad/arena.hpp"
#include "tropigrad/ad/tape.hpp"
#include "tropigrad/ad/scope.hpp"
#include "tropigrad/ad/var.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scalar_compare.hpp"
#include "tropigrad/ad/scalar_exp_log.hpp"
#include "tropigrad/ad/scalar_power.hpp"
#include "tropigrad/ad/scalar_trig.hpp"
#include "tropigrad/ad/scalar_activation.hpp"
#include "tropigrad/ad/scalar_abs_min_max.hpp"
#include "tropigrad/ad/scalar_lse.hpp"
#include "tropigrad/ad/eigen.hpp"
#include "tropigrad/ad/tensor.hpp"
#include "tropigrad/ad/tensor_op.hpp"
#include "tropigrad/ad/tensor_arithmetic.hpp"
#include "tropigrad/ad/tensor_sum.hpp"
#include "tropigrad/ad/gradcheck.hpp"
