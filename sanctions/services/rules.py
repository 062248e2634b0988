"""Editing the rule catalogue (credit office): every edit is logged and followed by a
reconcile of every agency."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.policy import require
from credit_records.choices import NEGATIVE_KINDS, Severity
from integrity_portal.tasking import enqueue_on_commit

from ..models import Measure, RuleChange, SanctionRule

RULE_FIELDS = ("name", "kinds", "min_severity", "min_count", "window_months", "is_active")


def rule_snapshot(rule: SanctionRule) -> dict:
    return {
        **{name: getattr(rule, name) for name in RULE_FIELDS},
        "measures": sorted(m.pk for m in rule.measures.all()),
    }


def rule_input_errors(data: dict) -> dict[str, list[str]]:
    """Field errors (400) of rule input: unknown kinds, severities or measures."""
    errors: dict[str, list[str]] = {}
    kinds = data.get("kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        errors["kinds"] = [_("请以列表形式填写记录类别。")]
    else:
        unknown = sorted(set(kinds) - NEGATIVE_KINDS)
        if unknown:
            errors["kinds"] = [_("未知的失信记录类别：%(codes)s") % {"codes": ", ".join(unknown)}]
    severity = data.get("min_severity", "")
    if severity and severity not in Severity.values:
        errors["min_severity"] = [_("失信程度无效。")]
    measures = data.get("measures")
    if measures is not None:
        codes = {getattr(m, "pk", m) for m in measures}
        known = set(Measure.objects.filter(pk__in=codes).values_list("pk", flat=True))
        unknown = sorted(str(c) for c in codes - known)
        if unknown:
            errors["measures"] = [_("未知的惩戒措施：%(codes)s") % {"codes": ", ".join(unknown)}]
        elif not codes:
            errors["measures"] = [_("请至少选择一项惩戒措施。")]
    return errors


def _reconcile_everything():
    from ..tasks import reconcile_all_agencies

    enqueue_on_commit(reconcile_all_agencies)


@transaction.atomic
def sanction_rule_create(*, data: dict, actor) -> SanctionRule:
    require(actor, "sanction_rule.edit")
    errors = rule_input_errors(data)
    if errors:
        raise ValidationError(errors)
    rule = SanctionRule.objects.create(**{k: data[k] for k in RULE_FIELDS if k in data})
    rule.measures.set([getattr(m, "pk", m) for m in data["measures"]])
    RuleChange.objects.create(rule=rule, action="create", actor=actor, after=rule_snapshot(rule))
    _reconcile_everything()
    return rule


@transaction.atomic
def sanction_rule_update(*, rule_id: int, data: dict, actor) -> SanctionRule:
    """Apply a (partial) edit; an edit that changes nothing writes nothing."""
    require(actor, "sanction_rule.edit")
    errors = rule_input_errors(data)
    if errors:
        raise ValidationError(errors)
    # Locked: two officers editing the same rule must not lose one edit in the log.
    rule = SanctionRule.objects.select_for_update().get(pk=rule_id)
    before = rule_snapshot(rule)
    fields = [k for k in RULE_FIELDS if k in data and getattr(rule, k) != data[k]]
    for name in fields:
        setattr(rule, name, data[name])
    measures = sorted(getattr(m, "pk", m) for m in data["measures"]) if "measures" in data else None
    measures_changed = measures is not None and measures != before["measures"]
    if not fields and not measures_changed:
        return rule
    rule.version += 1
    rule.save(update_fields=[*fields, "version", "updated_at"])
    if measures_changed:
        rule.measures.set(measures)
    rule = SanctionRule.objects.prefetch_related("measures").get(pk=rule.pk)
    RuleChange.objects.create(
        rule=rule, action="update", actor=actor, before=before, after=rule_snapshot(rule)
    )
    _reconcile_everything()
    return rule
