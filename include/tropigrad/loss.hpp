#pragma once
// tropigrad loss module: soft confusion-matrix (AnyLoss) metric losses and the
// classification baselines (BCE, weighted BCE, focal). Uses ad/ and semiring/.

#include "tropigrad/loss/bce.hpp"
#include "tropigrad/loss/metric_losses.hpp"
#include "tropigrad/loss/metrics.hpp"
#include "tropigrad/loss/soft_confusion.hpp"
