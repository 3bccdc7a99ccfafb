// Quickstart: semirings, a scalar Var, and Tensors, in one short tour.
#include <tropigrad/tropigrad.hpp>

#include <iostream>
#include <limits>

namespace tg = tropigrad;

int main() {
  // 1. Semirings on plain numbers: the same expression, three meanings.
  const double a = 1.0, b = 3.0;
  std::cout << "max-plus   a (+) b = " << tg::MaxPlus::plus(a, b) << ",  a (x) b = " << tg::MaxPlus::times(a, b)
            << "\n";
  std::cout << "min-plus   a (+) b = " << tg::MinPlus::plus(a, b) << "\n";
  for (double eps : {1.0, 0.1, 0.01})
    std::cout << "LSE_eps    eps = " << eps << ": a (+) b = " << tg::LogSumExp<>(eps).plus(a, b) << "\n";

  // 2. A soft shortest path whose gradient is the expected edge usage.
  //    Graph 0 -> 1 -> 2 (costs 1, 1) and 0 -> 2 (cost 2.2), soft-min over paths.
  tg::Var eps = 0.5, c01 = 1.0, c12 = 1.0, c02 = 2.2;
  const tg::Var via_1 = c01 + c12;
  const tg::Var soft_min = -tg::lse(eps, -via_1, -c02);
  soft_min.backward();
  std::cout << "\nsoft shortest path (eps = 0.5): " << soft_min.value() << "  (hard: 2)\n"
            << "  usage of 0->1: " << c01.grad() << ", 1->2: " << c12.grad() << ", 0->2: " << c02.grad()
            << ", d/d eps: " << eps.grad() << "\n";

  // 3. Tensors: one tape node per op over Eigen arrays.
  tg::Tensor<double> x(Eigen::ArrayXXd::Random(3, 4), /*requires_grad=*/true);
  const tg::Var loss = tg::sum(tg::lse(eps, x, /*axis=*/1));
  loss.backward();
  std::cout << "\nsum of row-wise smooth max = " << loss.value() << "\nits gradient (rows sum to 1):\n"
            << x.grad() << "\n";
}
