// least_squares.cc — line fit and Nelder–Mead (see least_squares.h).
#include "analytic/least_squares.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlsysim {

LineFit FitLineNonNegativeIntercept(const std::vector<double>& x, const std::vector<double>& y,
                                    bool relative) {
  // Weighted normal equations, w = 1/y² for the relative residual.
  double sw = 0, swx = 0, swy = 0, swxx = 0, swxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = relative ? 1 / (y[i] * y[i]) : 1.0;
    sw += w;
    swx += w * x[i];
    swy += w * y[i];
    swxx += w * x[i] * x[i];
    swxy += w * x[i] * y[i];
  }
  LineFit fit;
  const double det = sw * swxx - swx * swx;
  if (det > 1e-12 * sw * swxx) {
    fit.slope = (sw * swxy - swx * swy) / det;
    fit.intercept = (swy - fit.slope * swx) / sw;
  }
  if (!(det > 1e-12 * sw * swxx) || fit.intercept < 0) {
    fit.intercept = 0;
    fit.slope = swxx > 0 ? swxy / swxx : 0;
  }
  return fit;
}

namespace {

std::vector<double> NelderMeadOnce(const std::function<double(const std::vector<double>&)>& f,
                                   const std::vector<double>& start, double step,
                                   int max_evaluations, int* evaluations) {
  const size_t d = start.size();
  std::vector<std::vector<double>> pts(d + 1, start);
  for (size_t i = 0; i < d; ++i) pts[i + 1][i] += step * std::max(std::fabs(start[i]), 1.0);
  std::vector<double> val(d + 1);
  for (size_t i = 0; i <= d; ++i) val[i] = f(pts[i]);
  *evaluations += static_cast<int>(d + 1);
  std::vector<size_t> order(d + 1);
  auto point = [&](const std::vector<double>& centroid, const std::vector<double>& worst,
                   double t) {
    std::vector<double> p(d);
    for (size_t i = 0; i < d; ++i) p[i] = centroid[i] + t * (worst[i] - centroid[i]);
    return p;
  };
  while (*evaluations < max_evaluations) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return val[a] < val[b]; });
    const size_t best = order.front(), worst = order.back(), second = order[d - 1];
    double spread = 0;
    for (size_t j = 0; j <= d; ++j)
      for (size_t i = 0; i < d; ++i)
        spread = std::max(spread, std::fabs(pts[j][i] - pts[best][i]) /
                                      std::max(std::fabs(pts[best][i]), 1e-30));
    if (std::fabs(val[worst] - val[best]) <= 1e-15 * std::max(std::fabs(val[best]), 1e-300) &&
        spread <= 1e-12)
      break;
    std::vector<double> centroid(d, 0.0);
    for (size_t j = 0; j <= d; ++j)
      if (j != worst)
        for (size_t i = 0; i < d; ++i) centroid[i] += pts[j][i] / d;
    const std::vector<double> reflected = point(centroid, pts[worst], -1);
    const double fr = f(reflected);
    ++*evaluations;
    if (fr < val[best]) {
      const std::vector<double> expanded = point(centroid, pts[worst], -2);
      const double fe = f(expanded);
      ++*evaluations;
      if (fe < fr) {
        pts[worst] = expanded;
        val[worst] = fe;
      } else {
        pts[worst] = reflected;
        val[worst] = fr;
      }
    } else if (fr < val[second]) {
      pts[worst] = reflected;
      val[worst] = fr;
    } else {
      const bool outside = fr < val[worst];
      const std::vector<double> contracted = point(centroid, pts[worst], outside ? -0.5 : 0.5);
      const double fc = f(contracted);
      ++*evaluations;
      if (fc < std::min(fr, val[worst])) {
        pts[worst] = contracted;
        val[worst] = fc;
      } else {
        for (size_t j = 0; j <= d; ++j) {
          if (j == best) continue;
          for (size_t i = 0; i < d; ++i) pts[j][i] = pts[best][i] + 0.5 * (pts[j][i] - pts[best][i]);
          val[j] = f(pts[j]);
          ++*evaluations;
        }
      }
    }
  }
  const size_t best = static_cast<size_t>(std::min_element(val.begin(), val.end()) - val.begin());
  return pts[best];
}

}  // namespace

std::vector<double> NelderMead(const std::function<double(const std::vector<double>&)>& objective,
                               std::vector<double> start, double step, int max_evaluations) {
  // A NaN would break the simplex's ordering: it counts as +inf.
  const std::function<double(const std::vector<double>&)> f = [&](const std::vector<double>& x) {
    const double v = objective(x);
    return std::isnan(v) ? INFINITY : v;
  };
  int evaluations = 0;
  std::vector<double> x = NelderMeadOnce(f, start, step, max_evaluations, &evaluations);
  for (int restart = 0; restart < 3 && evaluations < max_evaluations; ++restart) {
    x = NelderMeadOnce(f, x, step / (10 * (restart + 1)), max_evaluations, &evaluations);
  }
  return x;
}

}  // namespace mlsysim
