"""What a staffing search must achieve: :class:`StaffingTarget` and its check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm._checks import check_fraction, check_non_negative, check_positive
from symfonie.domain.wfm.erlang_a import ServiceLevelVariant

FloatArray = npt.NDArray[np.float64]

# Comparisons with a target allow this much rounding (a computed 0.8 may print as 0.7999…).
TOLERANCE = 1e-12


@dataclass(frozen=True, slots=True)
class StaffingTarget:
    """What every interval must achieve; all targets that are set must hold at once.

    ``service_level`` (fraction, e.g. 0.8) of contacts answered within ``threshold_seconds``
    (counted with ``service_level_variant`` under Erlang A; the variants coincide in Erlang C);
    ``max_asa_seconds`` on the ASA of answered contacts; ``max_p_wait`` and ``max_p_abandon``
    as fractions; ``max_occupancy`` (fraction, default 1). At least one of the first four is
    required. ``threshold_seconds`` is also the threshold of the reported service level.
    """

    service_level: float | None = None
    threshold_seconds: float = 20.0
    max_asa_seconds: float | None = None
    max_p_wait: float | None = None
    max_p_abandon: float | None = None
    max_occupancy: float = 1.0
    service_level_variant: ServiceLevelVariant = ServiceLevelVariant.ALL_ARRIVALS

    def __post_init__(self) -> None:
        if self.service_level is not None:
            check_fraction("service_level", self.service_level, allow_zero=False, allow_one=False)
        check_non_negative("threshold_seconds", self.threshold_seconds)
        if self.max_asa_seconds is not None:
            check_positive("max_asa_seconds", self.max_asa_seconds)
        if self.max_p_wait is not None:
            check_fraction("max_p_wait", self.max_p_wait, allow_zero=False, allow_one=True)
        if self.max_p_abandon is not None:
            check_fraction("max_p_abandon", self.max_p_abandon, allow_zero=False, allow_one=True)
        check_fraction("max_occupancy", self.max_occupancy, allow_zero=False, allow_one=True)
        # a plain string ("served") becomes the enum, so the metrics pick the variant asked for
        object.__setattr__(
            self, "service_level_variant", ServiceLevelVariant(self.service_level_variant)
        )
        targets = (self.service_level, self.max_asa_seconds, self.max_p_wait, self.max_p_abandon)
        if all(target is None for target in targets):
            raise ValueError(
                "a staffing target needs service_level, max_asa_seconds, max_p_wait "
                "or max_p_abandon"
            )


def meets_target(
    target: StaffingTarget,
    *,
    p_wait: FloatArray,
    p_abandon: FloatArray,
    service_level: FloatArray,
    asa_seconds: FloatArray,
    occupancy: FloatArray,
) -> npt.NDArray[np.bool_]:
    """Element-wise: does each candidate meet every target that is set (within 1e-12)?

    Inputs are fractions, except ``asa_seconds`` (ASA of answered contacts, seconds);
    ``service_level`` must already be of the target's variant.
    """
    ok = occupancy <= target.max_occupancy + TOLERANCE
    if target.service_level is not None:
        ok &= service_level >= target.service_level - TOLERANCE
    if target.max_asa_seconds is not None:
        ok &= asa_seconds <= target.max_asa_seconds + TOLERANCE
    if target.max_p_wait is not None:
        ok &= p_wait <= target.max_p_wait + TOLERANCE
    if target.max_p_abandon is not None:
        ok &= p_abandon <= target.max_p_abandon + TOLERANCE
    return ok
