#pragma once
// tropigrad: differentiable programming over semirings. The umbrella header.

#include "tropigrad/ad.hpp"
#include "tropigrad/data.hpp"
#include "tropigrad/loss.hpp"
#include "tropigrad/nn.hpp"
#include "tropigrad/semiring.hpp"
#include "tropigrad/soft.hpp"
