"""Small-study effects: Egger's regression test for funnel-plot asymmetry.

Egger et al., BMJ 1997;315:629: regress each study's standard normal deviate ``yi / sei`` on its
precision ``1 / sei`` by ordinary least squares; an intercept away from zero signals asymmetry,
tested with t on k - 2 degrees of freedom. (Equivalently, the slope on ``sei`` of a weighted
regression of ``yi`` with weights ``1/vi``: metafor's ``regtest(model="lm")``.) The test has
little power with few studies and is run only with at least :data:`MIN_STUDIES` = 10 (Sterne et al.,
BMJ 2011;343:d4002). Fitted with statsmodels' OLS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from jakatlas.errors import StatisticsError

__all__ = ["MIN_STUDIES", "EggerTest", "egger_test"]

MIN_STUDIES = 10


@dataclass(frozen=True)
class EggerTest:
    """Egger's test: intercept (bias) with its SE, t statistic, degrees of freedom and p-value."""

    k: int
    intercept: float
    se: float
    t: float
    df: int
    p_value: float

    @property
    def summary(self) -> str:
        return (f"Egger's test for funnel-plot asymmetry (k = {self.k}): intercept {self.intercept:.4f} "
                f"(SE {self.se:.4f}), t({self.df}) = {self.t:.4f}, p = {self.p_value:.4f}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def egger_test(yi: Sequence[float], vi: Sequence[float], *, min_studies: int = MIN_STUDIES) -> EggerTest:
    """Egger's regression test; raises :class:`StatisticsError` with fewer than ``min_studies`` studies."""
    import statsmodels.api as sm

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.size != v.size:
        raise StatisticsError("yi and vi must have one value per study.")
    if y.size < max(3, min_studies):
        raise StatisticsError(f"Egger's test needs at least {max(3, min_studies)} studies, got {y.size}: with "
                              "fewer it cannot tell asymmetry from chance (Sterne et al. 2011).")
    if np.any(v <= 0) or not np.all(np.isfinite(y)):
        raise StatisticsError("Egger's test needs finite effects and positive sampling variances.")
    se = np.sqrt(v)
    fit = sm.OLS(y / se, sm.add_constant(1.0 / se)).fit()
    return EggerTest(int(y.size), float(fit.params[0]), float(fit.bse[0]), float(fit.tvalues[0]),
                     int(fit.df_resid), float(fit.pvalues[0]))
