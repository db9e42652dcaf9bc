"""The champion/challenger gate: one pure function, so both verdicts are easy to test."""

from __future__ import annotations

PROMOTE = "promote"
REJECT = "reject"


def decide(
    metric: str,
    challenger: dict[str, float],
    champion: dict[str, float] | None,
    min_score: float,
    min_improvement: float,
) -> tuple[str, str]:
    """Return ``(verdict, reason)``.

    A challenger must reach ``min_score`` on ``metric`` (a floor for the very first model) and,
    when a champion exists, beat it by at least ``min_improvement`` on the same test split: an
    equally good model is not worth a new version and a redeployment.
    """
    if metric not in challenger:
        raise KeyError(f"metric {metric!r} not computed; available: {sorted(challenger)}")
    score = challenger[metric]
    if score < min_score:
        return REJECT, f"challenger {metric}={score:.4f} is below the minimum {min_score:.4f}"
    if champion is None:
        return PROMOTE, f"no champion yet and challenger {metric}={score:.4f} >= minimum {min_score:.4f}"
    best = champion[metric]
    gain = score - best
    if gain >= min_improvement:
        return PROMOTE, f"challenger {metric}={score:.4f} beats champion {best:.4f} by {gain:+.4f} >= {min_improvement}"
    return REJECT, f"challenger {metric}={score:.4f} vs champion {best:.4f}: {gain:+.4f} < required {min_improvement}"
