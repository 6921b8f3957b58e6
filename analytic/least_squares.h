// least_squares.h — the two fits `mlsysim calibrate` needs: a straight line
// with a non-negative intercept (a kernel's launch + bytes / bandwidth), and
// Nelder–Mead minimisation of a smooth-enough objective (the GEMM model's
// max(compute, memory) is not differentiable at the roofline's knee).
// Usage: LineFit f = FitLineNonNegativeIntercept(x, y);
//        std::vector<double> p = NelderMead(objective, {0.7, 0.8, 3}, 1e-3, 20000);
#ifndef MLSYSIM_ANALYTIC_LEAST_SQUARES_H_
#define MLSYSIM_ANALYTIC_LEAST_SQUARES_H_

#include <functional>
#include <vector>

namespace mlsysim {

struct LineFit {
  double intercept = 0, slope = 0;
};

// Least squares y ≈ intercept + slope·x, on the absolute residual (large
// samples dominate) or, with `relative`, on (intercept + slope·x − y)/y
// (small and large samples count alike; y > 0); when the intercept would be
// negative, the line through the origin instead. Exact on points of a line.
LineFit FitLineNonNegativeIntercept(const std::vector<double>& x, const std::vector<double>& y,
                                    bool relative);

// Minimises f from `start` (initial simplex: each coordinate moved by
// `step` × max(|x|, 1)); stops when the simplex's values agree to 1e-15
// (relative) and its points to 1e-12, or after `max_evaluations`. Restarts
// once from the best point to escape a collapsed simplex.
std::vector<double> NelderMead(const std::function<double(const std::vector<double>&)>& f,
                               std::vector<double> start, double step, int max_evaluations);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_LEAST_SQUARES_H_
