#pragma once
// tropigrad/nn.hpp: modules, layers, optimisers and schedules.

#include "tropigrad/nn/module.hpp"
#include "tropigrad/nn/checkpoint.hpp"
#include "tropigrad/nn/linear.hpp"
#include "tropigrad/nn/sequential.hpp"
#include "tropigrad/nn/optimizer.hpp"
#include "tropigrad/nn/sgd.hpp"
#include "tropigrad/nn/adam.hpp"
#include "tropigrad/nn/lr_scheduler.hpp"
#include "tropigrad/nn/clip_grad.hpp"
#include "tropigrad/nn/spiking.hpp"
#include "tropigrad/nn/ultra_lif.hpp"
#include "tropigrad/nn/ultra_dlif.hpp"
#include "tropigrad/nn/ultra.hpp"
