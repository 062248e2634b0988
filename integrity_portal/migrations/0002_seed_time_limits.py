"""Seed the default time limits of DESIGN section 5 (editable afterwards in the admin)."""

from django.db import migrations


def seed(apps, schema_editor):
    TimeLimitPolicy = apps.get_model("integrity_portal", "TimeLimitPolicy")
    TimeLimitPolicy.objects.get_or_create(
        domain="",
        defaults={"acceptance_workdays": 2, "verification_workdays": 10, "rectification_days": 30},
    )
    # 保障中小企业款项支付条例 第二十五条: written result within 30 days, at most 90 with approval.
    TimeLimitPolicy.objects.get_or_create(
        domain="payment_arrears",
        defaults={
            "acceptance_workdays": 2,
            "verification_workdays": 10,
            "result_days": 30,
            "result_max_days": 90,
            "rectification_days": 30,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("integrity_portal", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
