"""Complaint test data, made through the real intake service (never by setting fields).

``complaint_submit_for_test(**overrides)`` → ``(complaint, access_code)``;
``ComplaintFactory(**overrides)`` → the complaint (its code is on ``complaint.access_code``).
A respondent with a supervisor is created unless ``respondent_agency`` is given, so the
complaint starts ``routed``; pass ``routed=False`` for ``pending_routing``.
"""

import itertools

import factory

from complaints.choices import ComplainantType, Domain
from complaints.services.intake import complaint_submit
from tests.agencies.factories import AgencyFactory, make_uscc

_counter = itertools.count(1)

# Enterprise complainants: registration authority 9 (工商), kind 1 (企业), Hangzhou Xihu.
ENTERPRISE_USCC_PREFIX = "91330106"


def complaint_data(**overrides) -> dict:
    """Valid service input; ``routed=False`` gives a respondent without a supervisor."""
    n = next(_counter)
    routed = overrides.pop("routed", True)
    if "respondent_agency" not in overrides:
        supervisor = AgencyFactory(name=f"主管部门{n}") if routed else None
        overrides["respondent_agency"] = AgencyFactory(name=f"被投诉单位{n}", supervisor=supervisor)
    data = {
        "complainant_type": ComplainantType.ENTERPRISE,
        "complainant_name": f"杭州测试建设有限公司{n}",
        "complainant_uscc": make_uscc(n, prefix=ENTERPRISE_USCC_PREFIX),
        "contact_name": "张三",
        "contact_phone": f"138{n:08d}",
        "contact_email": f"firm{n}@example.invalid",
        "domain": Domain.PAYMENT_ARREARS,
        "title": "学校维修工程款拖欠",
        "description": "2024年完成某小学校舍维修工程，验收合格后至今未支付工程款。",
        "contract_title": f"校舍维修工程施工合同{n}",
        "contract_signed_on": None,
        "amount_involved": None,
        "remedy_sought": "支付工程款及利息",
        "consent_to_share_contact": False,
    }
    data.update(overrides)
    return data


def complaint_submit_for_test(
    *, files=(), actor=None, channel="web", language="zh-hans", **overrides
):
    """The complainant's ``language`` is given, not taken from the active language, which an
    earlier test-client request in the same thread may have left at English."""
    return complaint_submit(
        data=complaint_data(**overrides),
        files=files,
        actor=actor,
        channel=channel,
        language=language,
    )


class ComplaintFactory(factory.Factory):
    """``ComplaintFactory()`` files a complaint through ``complaint_submit``."""

    class Meta:
        model = dict

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        complaint, code = complaint_submit_for_test(**kwargs)
        complaint.access_code = code
        return complaint

    _build = _create
