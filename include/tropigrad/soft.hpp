#pragma once
// tropigrad soft module: differentiable sorting, ranking, top-k, quantiles,
// sorting networks over the LogSumExp semiring, and soft clustering.
// Uses ad/ and semiring/.
