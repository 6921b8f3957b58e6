"""mlsysim — the Machine Learning Systems textbook's analytic package (v0.1.1
API and numbers) and an event-driven cluster simulator, on a C++ core.

    from mlsysim import Engine, Hardware, Models
    profile = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=1,
                           precision="fp16", efficiency=0.5, is_training=False)
    print(profile.latency.to("ms"))          # 5.603 millisecond

    import mlsysim
    r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=8, qps=200,
                                 requests=20000)
    r.ttft_p99_s.simulated, r.requests       # a pint quantity, a pandas DataFrame
    r.plot.ttft_cdf(); r.save_report("r.html")  # matplotlib figures, the HTML report

Versions: `mlsysim.__version__` is this package (0.2.0); the analytic API and
numbers it reproduces are mlsysim v0.1.1's (`mlsysim.__mlsysim_api__`).

Quantities are pint quantities (`mlsysim.ureg`); registries are attribute
namespaces (Hardware, Models, Systems, Infra); every solver of the 22 walls,
the optimizers and the calc_* formulas carry mlsysim's names and keywords.
"""

from ._quantities import Q_, ureg
from ._registries import Hardware, Infra, Models, Systems
from ._simulate import Metric, SimulationResult, simulate
from ._solvers import FORMULAS, SOLVERS, Engine, SolverResult

__version__ = "0.2.0"          # this package (the CLI's `mlsysim --version`)
__mlsysim_api__ = "0.1.1"      # the mlsysim release whose API and numbers it reproduces

globals().update(SOLVERS)
globals().update(FORMULAS)

__all__ = (["Engine", "Hardware", "Models", "Systems", "Infra", "simulate", "ureg", "Q_", "SolverResult",
            "SimulationResult", "Metric"] + sorted(SOLVERS) + sorted(FORMULAS))
