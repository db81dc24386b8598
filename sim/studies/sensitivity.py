"""Global sensitivity of outcome shares to a sweep's parameters (SALib).

References
----------
Herman, J., and Usher, W. (2017). SALib: an open-source Python library for
sensitivity analysis. *Journal of Open Source Software* 2(9).
Saltelli, A., et al. (2010). Variance based sensitivity analysis of model output.
*Computer Physics Communications* 181(2), 259-270.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.studies.design import MORRIS_LEVELS, Design

__all__ = ["RARE_COUNT", "analyse", "sensitivity_table"]

#: Outcomes seen fewer times than this at every point get no indices: their shares are
#: Monte Carlo noise, and Sobol estimates of noise are meaningless.
RARE_COUNT = 20


def analyse(design: Design, frame: pd.DataFrame, outcome_ids: list[str]) -> dict:
    """Per outcome share: Sobol S1 and ST with 95% intervals, or Morris mu* and sigma."""
    if design.sampler not in ("sobol", "morris"):
        raise ValueError(f"sensitivity indices need a sobol or morris design, "
                         f"not {design.sampler}")
    out = {}
    problem = design.problem()
    for oid in outcome_ids:
        y = frame[f"share_{oid}"].to_numpy()
        hits = y * frame["trials"].to_numpy()
        if np.allclose(y, y[0]) or hits.max() < RARE_COUNT:
            out[oid] = pd.DataFrame(index=design.names)  # nothing to apportion reliably
            continue
        if design.sampler == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(problem, y, calc_second_order=False, seed=design.seed)
            out[oid] = pd.DataFrame({"S1": si["S1"], "S1_conf": si["S1_conf"],
                                     "ST": si["ST"], "ST_conf": si["ST_conf"]},
                                    index=design.names)
        else:
            from SALib.analyze import morris

            si = morris.analyze(problem, design.X, y, num_levels=MORRIS_LEVELS,
                                seed=design.seed)
            out[oid] = pd.DataFrame({"mu_star": si["mu_star"], "mu_star_conf": si["mu_star_conf"],
                                     "sigma": si["sigma"]}, index=design.names)
    return out


def sensitivity_table(indices: dict[str, pd.DataFrame]) -> str:
    """The indices as text, one block per outcome."""
    lines = []
    for oid, df in indices.items():
        lines.append(f"{oid}:")
        if df.empty:
            lines.append(f"  (too rare or constant across the design: fewer than {RARE_COUNT} "
                         "trials at every point, or the same share everywhere)")
            continue
        lines.append("  " + df.to_string(float_format=lambda x: f"{x:.3f}").replace("\n", "\n  "))
    return "\n".join(lines)
