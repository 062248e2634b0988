"""Widen the first default rule from ``breach`` records to every negative record (seed 004
二(四): "对存在失信记录的相关主体" — arrears, dishonest_debtor and policy_unfulfilled records too).

A rule the credit office edited since the seed (a later version, or other kinds, severity,
count, window or measures) is its decision and is left as it is.
"""

from django.db import migrations


def widen(apps, schema_editor):
    from sanctions.choices import BREACH_MEASURES, DEFAULT_RULES, SEEDED_BREACH_RULE

    rule_model = apps.get_model("sanctions", "SanctionRule")
    widened = DEFAULT_RULES[0]
    for rule in rule_model.objects.filter(name=SEEDED_BREACH_RULE["name"], version=1):
        untouched = (
            rule.kinds == SEEDED_BREACH_RULE["kinds"]
            and rule.min_severity == ""
            and rule.min_count == 1
            and rule.window_months is None
            and rule.is_active
            and sorted(rule.measures.values_list("code", flat=True)) == sorted(BREACH_MEASURES)
        )
        if untouched:
            rule.name = widened["name"]
            rule.kinds = widened["kinds"]
            rule.save(update_fields=["name", "kinds"])


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0003_sanction_updated_at")]

    operations = [migrations.RunPython(widen, migrations.RunPython.noop)]
