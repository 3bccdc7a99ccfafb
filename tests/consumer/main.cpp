// Downstream smoke test: the public umbrella header compiles on its own and a
// gradient comes out right. Exit code 0 = success.
#include <tropigrad/tropigrad.hpp>

#include <cstdio>

int main() {
    tropigrad::Var x = 2.0;
    auto y = x * x;
    y.backward();
    if (x.grad() != 4.0) {
        std::printf("tropigrad consumer: d(x*x)/dx at x=2 is %g, expected 4\n",
                    static_cast<double>(x.grad()));
        return 1;
    }
    std::printf("tropigrad consumer: OK\n");
    return 0;
}
