"""Agency credit scores and grades, reconciled from the records (DESIGN section 6).

The score is transparent: start at ``start``; subtract ``negative[severity]`` for every
negative record in force; add ``positive`` for every positive record in force, at most
``positive_cap`` in total; clamp to 0–100. Grades by thresholds (A ≥ 90, B ≥ 75, C ≥ 60,
else D). Weights come from ``settings.CREDIT_SCORE_WEIGHTS`` (any key may be overridden).

Recompute is idempotent (a function of the records), so it runs after every change and in a
nightly sweep; a history row is written only when score or grade changes.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from agencies.models import Agency

from ..choices import Polarity
from ..models import AgencyCreditScore, AgencyCreditScoreHistory, CreditRecord
from ..selectors import IN_FORCE_STATUSES

DEFAULT_WEIGHTS = {
    "start": 100,
    "negative": {"minor": 2, "general": 10, "serious": 25},
    "positive": 2,
    "positive_cap": 10,
    "grades": [["A", 90], ["B", 75], ["C", 60]],
    "lowest_grade": "D",
}


def score_weights() -> dict:
    weights = {**DEFAULT_WEIGHTS, **getattr(settings, "CREDIT_SCORE_WEIGHTS", {})}
    weights["negative"] = {**DEFAULT_WEIGHTS["negative"], **weights["negative"]}
    return weights


def score_compute(*, negatives: dict[str, int], positives: int) -> tuple[Decimal, str]:
    """``(score, grade)`` from counts of negative records by severity and positive records."""
    w = score_weights()
    deduction = sum(Decimal(str(w["negative"].get(sev, 0))) * n for sev, n in negatives.items())
    credit = min(Decimal(str(w["positive"])) * positives, Decimal(str(w["positive_cap"])))
    score = Decimal(str(w["start"])) - deduction + credit
    score = max(Decimal(0), min(Decimal(100), score)).quantize(Decimal("0.01"))
    for grade, threshold in w["grades"]:
        if score >= Decimal(str(threshold)):
            return score, grade
    return score, w["lowest_grade"]


def agency_scores_recompute(*, agency_ids: list[int]) -> int:
    """Reconcile the stored score of each agency with its records; return rows changed."""
    agency_ids = sorted(set(agency_ids))
    if not agency_ids:
        return 0
    now = timezone.now()
    counts: dict[int, dict] = defaultdict(lambda: {"negatives": defaultdict(int), "positives": 0})
    rows = (
        CreditRecord.objects.filter(agency_id__in=agency_ids, status__in=IN_FORCE_STATUSES)
        .values("agency_id", "polarity", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        entry = counts[row["agency_id"]]
        if row["polarity"] == Polarity.NEGATIVE:
            entry["negatives"][row["severity"]] += row["n"]
        else:
            entry["positives"] += row["n"]
    changed = 0
    with transaction.atomic():
        # Locked in pk order so two recomputes of overlapping agencies serialise without
        # deadlock and the history gets one row per actual change.
        current = {
            s.agency_id: s
            for s in AgencyCreditScore.objects.select_for_update()
            .filter(agency_id__in=agency_ids)
            .order_by("agency_id")
        }
        upserts, history = [], []
        for agency_id in agency_ids:
            entry = counts.get(agency_id) or {"negatives": {}, "positives": 0}
            score, grade = score_compute(negatives=entry["negatives"], positives=entry["positives"])
            negatives = sum(entry["negatives"].values())
            old = current.get(agency_id)
            if (
                old is not None
                and old.score == score
                and old.grade == grade
                and old.active_negative_records == negatives
                and old.active_positive_records == entry["positives"]
            ):
                continue
            upserts.append(
                AgencyCreditScore(
                    agency_id=agency_id,
                    score=score,
                    grade=grade,
                    active_negative_records=negatives,
                    active_positive_records=entry["positives"],
                    computed_at=now,
                )
            )
            if old is None or old.score != score or old.grade != grade:
                history.append(
                    AgencyCreditScoreHistory(
                        agency_id=agency_id, score=score, grade=grade, recorded_at=now
                    )
                )
        if upserts:
            AgencyCreditScore.objects.bulk_create(
                upserts,
                update_conflicts=True,
                unique_fields=["agency"],
                update_fields=[
                    "score",
                    "grade",
                    "active_negative_records",
                    "active_positive_records",
                    "computed_at",
                ],
                batch_size=500,
            )
            AgencyCreditScoreHistory.objects.bulk_create(history, batch_size=500)
            changed = len(upserts)
    return changed


def agency_score(agency_id: int) -> tuple[Decimal, str, int]:
    """``(score, grade, active negative records)``; an agency never scored has a clean file."""
    row = (
        AgencyCreditScore.objects.filter(agency_id=agency_id)
        .values_list("score", "grade", "active_negative_records")
        .first()
    )
    if row is not None:
        return row
    score, grade = score_compute(negatives={}, positives=0)
    return score, grade, 0


def all_agency_scores_recompute(*, batch: int = 1000) -> int:
    """Every agency's score (the nightly reconcile), in id batches: no whole table in memory.
    Returns how many changed."""
    changed, last = 0, 0
    while True:
        ids = list(
            Agency.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return changed
        changed += agency_scores_recompute(agency_ids=ids)
        last = ids[-1]
