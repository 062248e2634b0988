"""Seed the measure catalogue and the default rules of DESIGN section 7 (editable afterwards)."""

from django.db import migrations

MEASURES = [
    ("central_budget_funding", "中央预算内资金支持", "Central budget funding"),
    ("special_bonds", "地方政府专项债券申请", "Local government special bonds"),
    ("financing_recommendation", "各类融资项目推荐", "Financing project recommendations"),
    ("awards", "评优评先", "Awards and honours"),
    ("pilot_programs", "试点示范资格", "Pilot and demonstration programmes"),
    ("government_funding", "政府资金支持", "Government funding"),
    ("support_policies", "申请扶持政策", "Support policies"),
    ("government_procurement", "参加政府采购", "Government procurement"),
    ("official_spending", "公务消费", "Official spending"),
    ("office_space", "办公用房", "Office space"),
    ("budget_allocation", "经费安排", "Budget allocation"),
    ("public_notice", "通报", "Public notice"),
    ("leader_interview", "约谈主要负责人", "Interview with the head of the agency"),
    ("public_exposure", "曝光", "Public exposure"),
]
BREACH = [
    "central_budget_funding",
    "special_bonds",
    "financing_recommendation",
    "awards",
    "pilot_programs",
    "government_funding",
    "support_policies",
    "government_procurement",
]
NOTICES = ["public_notice", "leader_interview", "public_exposure"]
RULES = [
    ("违约失信记录", ["breach"], "", 1, None, BREACH),
    ("拖欠中小企业账款", ["arrears"], "", 1, None,
     ["official_spending", "office_space", "budget_allocation", "awards"]),
    ("列为失信被执行人", ["dishonest_debtor"], "", 1, None,
     [*BREACH, "public_notice", "leader_interview"]),
    ("严重失信", [], "serious", 1, None, NOTICES),
    ("12个月内两次以上失信", [], "", 2, 12, NOTICES),
]


def seed(apps, schema_editor):
    Measure = apps.get_model("sanctions", "Measure")
    SanctionRule = apps.get_model("sanctions", "SanctionRule")
    for position, (code, name, name_en) in enumerate(MEASURES, start=1):
        Measure.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
    if SanctionRule.objects.exists():
        return
    for name, kinds, min_severity, min_count, window, measures in RULES:
        rule = SanctionRule.objects.create(
            name=name,
            kinds=kinds,
            min_severity=min_severity,
            min_count=min_count,
            window_months=window,
        )
        rule.measures.set(measures)


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
