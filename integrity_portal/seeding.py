"""Rows the data migrations seed, as importable functions.

The migrations call these with their historical models; the test suite calls them (with the
current models) to put the rows back after a transactional test's flush emptied every table.
Each function only inserts what is missing, so calling it twice is harmless.
"""


def seed_time_limits(policy_model=None) -> None:
    """The default time limits of DESIGN section 5 (editable afterwards in the admin)."""
    if policy_model is None:
        from .models import TimeLimitPolicy as policy_model

    policy_model.objects.get_or_create(
        domain="",
        defaults={"acceptance_workdays": 2, "verification_workdays": 10, "rectification_days": 30},
    )
    # 保障中小企业款项支付条例 第二十五条: written result within 30 days, at most 90 with approval.
    policy_model.objects.get_or_create(
        domain="payment_arrears",
        defaults={
            "acceptance_workdays": 2,
            "verification_workdays": 10,
            "result_days": 30,
            "result_max_days": 90,
            "rectification_days": 30,
        },
    )
