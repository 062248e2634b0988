"""Presentation of an agency's sanctions on its profile pages."""

from django import template

register = template.Library()


@register.filter
def by_measure(active_sanctions) -> list[dict]:
    """One entry per measure, with the rules that impose it and the records behind them.

    Two rules may impose the same measure (an active breach and a serious record both bar
    awards): the profile lists the measure once, with both rules as its basis."""
    grouped: dict[str, dict] = {}
    for item in active_sanctions or []:
        if not isinstance(item, dict):
            continue
        entry = grouped.setdefault(
            item["measure"],
            {
                "measure": item["measure"],
                "label": item.get("measure_label") or item["measure"],
                "rules": [],
                "records": set(),
                "since": item.get("imposed_at", ""),
            },
        )
        if item.get("rule_name") and item["rule_name"] not in entry["rules"]:
            entry["rules"].append(item["rule_name"])
        entry["records"].update(item.get("basis_records") or [])
        entry["since"] = min(entry["since"], item.get("imposed_at", "")) or entry["since"]
    for entry in grouped.values():
        entry["records"] = sorted(entry["records"])
        entry["since"] = entry["since"][:10]  # ISO date of the earliest imposition
    return sorted(grouped.values(), key=lambda e: e["label"])
