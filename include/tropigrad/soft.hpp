#pragma once
// tropigrad soft module: differentiable sorting, ranking, top-k, quantiles,
// sorting networks over the LogSumExp semiring, and soft clustering.
// Uses ad/ and semiring/.
#include "tropigrad/soft/cluster.hpp"
#include "tropigrad/soft/sort.hpp"
#include "tropigrad/soft/topk_quantile.hpp"
#include "tropigrad/soft/rank_losses.hpp"
#include "tropigrad/soft/sorting_network.hpp"
