import datetime
import io

import pytest
from django.db.models import Count

from credit_records.choices import Kind, RecordAction, RecordStatus, Severity
from credit_records.services import credit_record_repair, credit_record_revoke
from credit_records.services.publicity import credit_records_expire_due
from sanctions.choices import BREACH_MEASURES, LiftReason, SanctionStatus, TaskKind
from sanctions.models import OfficeTask, Sanction, SanctionRule
from sanctions.services import agencies_sanctions_reconcile, agency_sanctions_reconcile
from sanctions.services.reconcile import reconcile_all
from sanctions.tasks import sweep_record_changes
from tests.agencies.factories import AgencyFactory

from .helpers import record

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def active_measures(agency):
    return sorted(
        Sanction.objects.filter(agency=agency, status=SanctionStatus.ACTIVE).values_list(
            "measure_id", flat=True
        )
    )


def test_default_rules_and_catalogue_are_seeded():
    names = list(SanctionRule.objects.order_by("pk").values_list("name", flat=True))
    assert len(names) == 5
    breach_rule = SanctionRule.objects.get(name="存在失信记录", kinds=[])
    assert sorted(breach_rule.measures.values_list("code", flat=True)) == sorted(BREACH_MEASURES)


def test_breach_record_imposes_the_breach_measures_with_the_record_as_basis(agency):
    rec = record(agency, kind=Kind.BREACH, severity=Severity.GENERAL)

    result = agency_sanctions_reconcile(agency.pk, today=TODAY)

    assert result.imposed == len(BREACH_MEASURES)
    assert active_measures(agency) == sorted(BREACH_MEASURES)
    sanction = Sanction.objects.get(agency=agency, measure_id="awards")
    assert list(sanction.basis_records.values_list("pk", flat=True)) == [rec.pk]
    assert sanction.imposed_at is not None and sanction.lifted_at is None


def test_reconcile_twice_changes_nothing(agency):
    record(agency, kind=Kind.ARREARS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    before = list(Sanction.objects.order_by("pk").values("pk", "status", "imposed_at"))

    again = agency_sanctions_reconcile(agency.pk, today=TODAY)

    assert (again.imposed, again.lifted, again.rebased) == (0, 0, 0)
    assert list(Sanction.objects.order_by("pk").values("pk", "status", "imposed_at")) == before


def test_arrears_and_dishonest_debtor_follow_their_default_rules(agency):
    record(agency, kind=Kind.ARREARS, severity=Severity.MINOR)
    other = AgencyFactory()
    record(other, kind=Kind.DISHONEST_DEBTOR, severity=Severity.GENERAL)

    agencies_sanctions_reconcile(agency_ids=[agency.pk, other.pk], today=TODAY)

    # Seed 004 二(四): every negative record restricts the core measures; arrears adds its own.
    assert active_measures(agency) == sorted(
        [*BREACH_MEASURES, "official_spending", "office_space", "budget_allocation", "awards"]
    )
    # One sanction per rule and measure: the any-record rule and the debtor rule both hold.
    assert active_measures(other) == sorted(
        [*BREACH_MEASURES, *BREACH_MEASURES, "public_notice", "leader_interview"]
    )
    kinds = set(OfficeTask.objects.filter(agency=other).values_list("kind", flat=True))
    assert kinds == {TaskKind.PUBLIC_NOTICE, TaskKind.LEADER_INTERVIEW}


def test_serious_record_brings_notice_interview_and_exposure(agency):
    record(agency, kind=Kind.POLICY_UNFULFILLED, severity=Severity.SERIOUS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    assert active_measures(agency) == sorted(
        [*BREACH_MEASURES, "leader_interview", "public_exposure", "public_notice"]
    )


def test_a_policy_unfulfilled_record_restricts_the_core_measures(agency):
    # Seed 004 二(四): "对存在失信记录的相关主体" — not only when serious or repeated.
    record(agency, kind=Kind.POLICY_UNFULFILLED, severity=Severity.GENERAL)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    assert active_measures(agency) == sorted(BREACH_MEASURES)


def test_the_widening_migration_keeps_a_rule_the_credit_office_edited():
    import importlib

    from django.apps import apps

    widen = importlib.import_module("sanctions.migrations.0004_widen_default_rules").widen
    rule = SanctionRule.objects.get(name="存在失信记录")
    # As an existing deployment has it: the narrow seed, untouched ...
    SanctionRule.objects.filter(pk=rule.pk).update(name="违约失信记录", kinds=["breach"])
    # ... and a copy the credit office edited (version 2).
    edited = SanctionRule.objects.create(name="违约失信记录", kinds=["breach"], version=2)
    edited.measures.set(BREACH_MEASURES)
    widen(apps, None)
    rule.refresh_from_db()
    edited.refresh_from_db()
    assert (rule.name, rule.kinds) == ("存在失信记录", [])
    assert (edited.name, edited.kinds) == ("违约失信记录", ["breach"])


def test_two_records_within_twelve_months_count_but_older_ones_do_not(agency):
    record(agency, kind=Kind.POLICY_UNFULFILLED, decided_on=datetime.date(2026, 6, 1))
    record(agency, kind=Kind.POLICY_UNFULFILLED, decided_on=datetime.date(2026, 1, 10))

    agency_sanctions_reconcile(agency.pk, today=TODAY)
    assert {"leader_interview", "public_exposure", "public_notice"} <= set(active_measures(agency))

    # A year later the older record left the window: the sanctions lift by themselves.
    later = agency_sanctions_reconcile(agency.pk, today=datetime.date(2027, 1, 9))
    assert later.lifted == 0
    result = agency_sanctions_reconcile(agency.pk, today=datetime.date(2027, 1, 11))
    assert result.lifted == 3
    lifted = Sanction.objects.filter(status=SanctionStatus.LIFTED)
    assert set(lifted.values_list("lift_reason", flat=True)) == {LiftReason.EXPIRED}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda rec: credit_record_repair(record_id=rec.pk), LiftReason.REPAIRED),
        (lambda rec: credit_record_revoke(record_id=rec.pk, reason="依据有误"), LiftReason.REVOKED),
        (
            lambda rec: credit_records_expire_due(today=datetime.date(2027, 7, 1)),
            LiftReason.EXPIRED,
        ),
    ],
    ids=["repaired", "revoked", "expired"],
)
def test_sanctions_lift_with_the_reason_read_from_the_basis_record(agency, change, reason):
    rec = record(agency, kind=Kind.BREACH)
    agency_sanctions_reconcile(agency.pk, today=TODAY)

    change(rec)
    result = agency_sanctions_reconcile(agency.pk, today=TODAY)

    assert result.lifted == len(BREACH_MEASURES)
    lifted = Sanction.objects.filter(agency=agency)
    assert set(lifted.values_list("status", "lift_reason")) == {(SanctionStatus.LIFTED, reason)}
    assert all(s.lifted_at is not None for s in lifted)
    # The basis stays on the lifted sanction: it explains why it was imposed.
    assert lifted.annotate(n=Count("basis_records")).filter(n=1).count() == len(BREACH_MEASURES)


def test_switching_a_rule_off_lifts_its_sanctions_as_rule_changed(agency):
    record(agency, kind=Kind.ARREARS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    SanctionRule.objects.filter(kinds=["arrears"]).update(is_active=False)

    agency_sanctions_reconcile(agency.pk, today=TODAY)

    # The rule every negative record falls under still holds (seed 004 二(四)).
    assert active_measures(agency) == sorted(BREACH_MEASURES)
    lifted = Sanction.objects.filter(status=SanctionStatus.LIFTED)
    assert lifted.count() == 4
    assert set(lifted.values_list("lift_reason", flat=True)) == {LiftReason.RULE_CHANGED}


def test_a_sanction_resting_on_two_records_keeps_holding_when_one_is_repaired(agency):
    first = record(agency, kind=Kind.BREACH)
    second = record(agency, kind=Kind.BREACH)
    agency_sanctions_reconcile(agency.pk, today=TODAY)

    credit_record_repair(record_id=first.pk)
    result = agency_sanctions_reconcile(agency.pk, today=TODAY)

    assert result.lifted == 3  # the "two within 12 months" rule no longer holds
    awards = Sanction.objects.get(agency=agency, measure_id="awards", status="active")
    assert list(awards.basis_records.values_list("pk", flat=True)) == [second.pk]


def test_reconcile_costs_a_fixed_number_of_queries_whatever_the_batch(
    django_assert_max_num_queries,
):
    agencies = [AgencyFactory() for _ in range(12)]
    for agency in agencies:
        record(agency, kind=Kind.BREACH)
        record(agency, kind=Kind.ARREARS, severity=Severity.SERIOUS)
    with django_assert_max_num_queries(14):
        result = agencies_sanctions_reconcile(agency_ids=[a.pk for a in agencies], today=TODAY)
    assert result.agencies == 12
    assert result.imposed == 12 * (8 + 4 + 3 + 3)


def test_record_change_signal_enqueues_the_reconcile(agency, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rec = record(agency, kind=Kind.BREACH)
    assert active_measures(agency) == sorted(BREACH_MEASURES)

    with django_capture_on_commit_callbacks(execute=True):
        credit_record_repair(record_id=rec.pk)
    assert active_measures(agency) == []


def test_outbox_sweep_reconciles_agencies_whose_message_was_lost(agency):
    record(agency, kind=Kind.BREACH)  # on-commit callbacks never run here: the signal is lost
    assert active_measures(agency) == []

    assert sweep_record_changes() == 1

    assert active_measures(agency) == sorted(BREACH_MEASURES)


def test_full_sweep_covers_every_agency_in_batches():
    agencies = [AgencyFactory() for _ in range(5)]
    for agency in agencies:
        record(agency, kind=Kind.ARREARS)
    assert reconcile_all(batch_size=2, today=TODAY) == 5 * (8 + 4)
    assert reconcile_all(batch_size=2, today=TODAY) == 0


def test_objection_keeps_sanctions_until_upheld(agency):
    from credit_records.services import credit_record_transition

    rec = record(agency, kind=Kind.ARREARS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    credit_record_transition(record_id=rec.pk, action=RecordAction.FILE_OBJECTION)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    assert len(active_measures(agency)) == 8 + 4
    credit_record_transition(record_id=rec.pk, action=RecordAction.UPHOLD_OBJECTION)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    assert active_measures(agency) == []
    assert rec.__class__.objects.get(pk=rec.pk).status == RecordStatus.REVOKED


def test_sanctions_lift_by_themselves_when_the_publicity_sweep_expires_the_record(
    agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(agency, kind=Kind.ARREARS, decided_on=datetime.date(2026, 6, 1))
    assert len(active_measures(agency)) == 8 + 4

    with django_capture_on_commit_callbacks(execute=True):
        credit_records_expire_due(today=datetime.date(2027, 6, 1))  # general: 1 year

    assert active_measures(agency) == []
    assert set(Sanction.objects.values_list("lift_reason", flat=True)) == {LiftReason.EXPIRED}


def test_demo_imposes_the_demo_records_sanctions_once():
    from django.core.management import call_command

    call_command("load_demo", "--quiet", stdout=io.StringIO())
    active = Sanction.objects.filter(status="active").count()
    assert active > 0
    call_command("load_demo", "--quiet", stdout=io.StringIO())
    assert Sanction.objects.filter(status="active").count() == active


def test_a_minor_record_ends_after_the_office_term_and_its_sanctions_are_lifted(
    agency, django_capture_on_commit_callbacks
):
    """A minor record is never published and ends ``RecordPolicy.minor_term_months`` after its
    decision (the office's choice, default 3): then it carries no sanction."""
    from credit_records.models import CreditRecordEvent, RecordPolicy, record_policy_cache

    with django_capture_on_commit_callbacks(execute=True):
        minor = record(agency, severity=Severity.MINOR, decided_on=datetime.date(2026, 6, 1))
    assert minor.publicity_ends is None
    assert active_measures(agency) == sorted(BREACH_MEASURES)

    assert credit_records_expire_due(today=datetime.date(2026, 8, 31)) == 0  # inside 3 months
    RecordPolicy.objects.filter(pk=1).update(minor_term_months=6)  # the office lengthens it
    record_policy_cache.clear()
    assert credit_records_expire_due(today=datetime.date(2026, 9, 1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert credit_records_expire_due(today=datetime.date(2026, 12, 1)) == 1

    minor.refresh_from_db()
    assert minor.status == RecordStatus.EXPIRED
    event = CreditRecordEvent.objects.get(record=minor, action=RecordAction.MINOR_TERM_END)
    assert event.data["minor_term_months"] == 6
    assert active_measures(agency) == []
    assert set(Sanction.objects.values_list("lift_reason", flat=True)) == {LiftReason.EXPIRED}


def test_the_record_terms_are_seeded_with_the_defaults():
    from credit_records.models import RecordPolicy

    policy = RecordPolicy.objects.get(pk=1)
    assert (policy.minor_term_months, policy.perform_workdays) == (3, 20)
