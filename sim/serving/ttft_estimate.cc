// ttft_estimate.cc — the gated batch-iteration TTFT approximation (see
// ttft_estimate.h).
#include "sim/serving/ttft_estimate.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {
namespace {

// Poisson(k; a) for k = 0 … until the tail is below 1e-13.
std::vector<double> PoissonPmf(double a) {
  std::vector<double> p;
  double pk = std::exp(-a), total = 0;
  const int limit = static_cast<int>(a + 40 * std::sqrt(a) + 60);
  for (int k = 0; k <= limit; ++k) {
    p.push_back(pk);
    total += pk;
    if (total >= 1 - 1e-13 && k > a) break;
    pk *= a / (k + 1);
  }
  return p;
}

// One replica's arrivals when it takes every r-th request of a Poisson
// stream (round-robin over r replicas): the count in a window that starts at
// one of its own arrivals, ⌊M/r⌋ with M ~ Poisson(mu) requests of the
// stream (`from_arrival`), or in a window at a random time, ⌊(J + M)/r⌋
// with the phase J uniform on 0 … r − 1 (stationary). r = 1: Poisson(mu).
std::vector<double> SplitCountPmf(double mu, int r, bool from_arrival) {
  const std::vector<double> m = PoissonPmf(mu);
  std::vector<double> p((m.size() - 1) / r + 2, 0.0);
  for (size_t k = 0; k < m.size(); ++k) {
    const size_t n = k / r, rest = k % r;
    if (from_arrival) {
      p[n] += m[k];
    } else {  // J + k reaches the next multiple of r for `rest` of the r phases
      p[n] += m[k] * static_cast<double>(r - rest) / r;
      p[n + 1] += m[k] * static_cast<double>(rest) / r;
    }
  }
  while (p.size() > 1 && p.back() == 0) p.pop_back();
  return p;
}

std::vector<double> Convolve(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> c(a.size() + b.size() - 1, 0.0);
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) c[i + j] += a[i] * b[j];
  return c;
}

// Iteration costs with n whole prompts and b decodes (fractional b
// interpolated between its neighbours), memoised per n.
class IterationCosts {
 public:
  IterationCosts(const IterationModel& m, double input, double output, double b)
      : m_(m), input_(input), context_(input + output / 2), b_(b) {}
  double operator()(int n) {
    while (static_cast<int>(cost_.size()) <= n) cost_.push_back(Cost(static_cast<int>(cost_.size())));
    return cost_[n];
  }

 private:
  double Cost(int n) const {
    const std::vector<PrefillPiece> pieces(n, PrefillPiece{0, input_});
    const int lo = static_cast<int>(std::floor(b_));
    const double frac = b_ - lo;
    const double at_lo = CostOfIteration(m_, pieces, std::vector<double>(lo, context_)).seconds;
    if (frac <= 0) return at_lo;
    const double at_hi = CostOfIteration(m_, pieces, std::vector<double>(lo + 1, context_)).seconds;
    return at_lo + frac * (at_hi - at_lo);
  }
  const IterationModel& m_;
  double input_, context_, b_;
  std::vector<double> cost_;
};

}  // namespace

absl::StatusOr<TtftEstimate> EstimateQueueingTtft(const IterationModel& m,
                                                  double lambda_per_replica, int split,
                                                  double input_tokens, double output_tokens,
                                                  int max_batch) {
  const double lambda = lambda_per_replica;
  if (!(lambda > 0) || split < 1 || !(input_tokens >= 1) || !(output_tokens >= 1) ||
      max_batch < 1)
    return absl::InvalidArgumentError("TTFT estimate: needs a positive rate and lengths");
  const double stream = lambda * split;  // the Poisson stream the replica takes every split-th of
  // The fixed point (c, b), damped: c = E[C(N)], N ~ Poisson(λc); b = λ·out·c.
  const double alone = IterationCosts(m, input_tokens, output_tokens, 0)(1);
  double c = alone, b = 0;
  bool converged = false;
  for (int it = 0; it < 2000 && !converged; ++it) {
    IterationCosts cost(m, input_tokens, output_tokens, b);
    const std::vector<double> p = SplitCountPmf(stream * c, split, false);
    double c_new = 0;
    for (size_t n = 0; n < p.size(); ++n) c_new += p[n] * cost(static_cast<int>(n));
    const double b_new = std::min<double>(max_batch, lambda * output_tokens * c_new);
    if (!std::isfinite(c_new) || c_new > 1e4 * alone || lambda * c_new > 1e4) break;
    converged = std::abs(c_new - c) <= 1e-12 * c && std::abs(b_new - b) <= 1e-9 * std::max(1.0, b);
    c = 0.5 * (c + c_new);
    b = 0.5 * (b + b_new);
  }
  if (!converged) {
    return absl::FailedPreconditionError(absl::StrCat(
        "TTFT estimate: no steady state at ", lambda, " requests/s per replica (prefill alone ",
        alone, " s per prompt): the queue grows"));
  }
  IterationCosts cost(m, input_tokens, output_tokens, b);
  const std::vector<double> pn = SplitCountPmf(stream * c, split, false);
  // The request arrives a fraction of the way into an iteration of n prompts
  // (length-biased); it waits the rest, then is prefilled with the K others
  // that arrived in the same iteration: those before it and after it, each a
  // count from its own arrival. Each iteration is cut into kCells slices of
  // arrival time, the wait uniform within a slice.
  constexpr int kCells = 48;
  struct Cell {
    double weight, wait_lo, wait_hi;  // wait ~ U(wait_lo, wait_hi)
    std::vector<double> q, next;      // P(K = k), C(1 + k)
  };
  std::vector<Cell> cells;
  for (size_t n = 0; n < pn.size(); ++n) {
    const double length = cost(static_cast<int>(n));
    const double weight = pn[n] * length / c;
    if (!(weight > 1e-15)) continue;
    for (int i = 0; i < kCells; ++i) {
      const double mid = (i + 0.5) / kCells * length;  // time into the iteration
      Cell cell;
      cell.weight = weight / kCells;
      cell.wait_lo = length - (i + 1.0) / kCells * length;
      cell.wait_hi = length - static_cast<double>(i) / kCells * length;
      cell.q = Convolve(SplitCountPmf(stream * mid, split, true),
                        SplitCountPmf(stream * (length - mid), split, true));
      for (size_t k = 0; k < cell.q.size(); ++k) cell.next.push_back(cost(static_cast<int>(k + 1)));
      cells.push_back(std::move(cell));
    }
  }
  // Idle with the probability that an M/G/∞ with mean holding (out + 1)·c is empty.
  const double p_idle = std::exp(-lambda * (output_tokens + 1) * c);
  TtftEstimate e;
  e.iteration_s = c;
  e.decoding = b;
  double hi = alone;
  e.mean_s = p_idle * alone;
  for (const Cell& cell : cells) {
    double after = 0;
    for (size_t k = 0; k < cell.q.size(); ++k) after += cell.q[k] * cell.next[k];
    e.mean_s += (1 - p_idle) * cell.weight * (0.5 * (cell.wait_lo + cell.wait_hi) + after);
    hi = std::max(hi, cell.wait_hi + cell.next.back());
  }
  auto cdf = [&](double x) {
    double f = x >= alone ? p_idle : 0;
    for (const Cell& cell : cells) {
      const double width = cell.wait_hi - cell.wait_lo;
      for (size_t k = 0; k < cell.q.size(); ++k)
        f += (1 - p_idle) * cell.weight * cell.q[k] *
             std::clamp((x - cell.next[k] - cell.wait_lo) / width, 0.0, 1.0);
    }
    return f;
  };
  auto quantile = [&](double p) {
    double lo = 0, up = hi;
    for (int i = 0; i < 100 && up - lo > 1e-12 * hi; ++i) {
      const double mid = 0.5 * (lo + up);
      (cdf(mid) >= p ? up : lo) = mid;
    }
    return up;
  };
  e.p50_s = quantile(0.5);
  e.p99_s = quantile(0.99);
  return e;
}

}  // namespace mlsysim
