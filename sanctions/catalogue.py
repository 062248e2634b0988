"""The measure catalogue and default rules (DESIGN section 7) as data.

The migration ``0002_seed_catalogue`` calls ``seed_catalogue`` with its historical models; the
same function puts the rows back where a database was emptied (a transactional test's flush, a
demo reset).
"""

from .choices import DEFAULT_RULES, MEASURES


def seed_catalogue(measure_model=None, rule_model=None) -> bool:
    """Insert the measures and, if there are no rules at all, the default rules. Returns
    whether anything was missing."""
    if measure_model is None or rule_model is None:
        from .models import Measure as measure_model
        from .models import SanctionRule as rule_model
    changed = False
    if measure_model.objects.count() < len(MEASURES):
        for position, (code, name, name_en) in enumerate(MEASURES, start=1):
            measure_model.objects.update_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "position": position}
            )
        changed = True
    if not rule_model.objects.exists():
        for spec in DEFAULT_RULES:
            rule = rule_model.objects.create(**{k: v for k, v in spec.items() if k != "measures"})
            rule.measures.set(spec["measures"])
        changed = True
    return changed
