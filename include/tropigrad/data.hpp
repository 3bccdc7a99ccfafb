// tropigrad/data.hpp — module header: IDX reader (raw and gzip), Fashion-MNIST
// loader (and its sequential form), seeded mini-batches, Randman spike-time manifolds and small
// synthetic 2-D sets. Uses the standard library, Eigen and zlib only; errors
// are tropigrad::DataError (a std::runtime_error).
#pragma once

#include "tropigrad/data/errors.hpp"
#include "tropigrad/data/random.hpp"
#include "tropigrad/data/dataset.hpp"
#include "tropigrad/data/idx.hpp"
#include "tropigrad/data/fashion_mnist.hpp"
#include "tropigrad/data/batches.hpp"
#include "tropigrad/data/randman.hpp"
#include "tropigrad/data/sequential.hpp"
#include "tropigrad/data/synthetic.hpp"
