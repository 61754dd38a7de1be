"""Generate realistic unit trees for tests, benchmarks and trying the importer.

A county (县) the size of a real one — 18 townships, 278 villages — and a
prefecture-level city of about 5,000 units (16 such counties), with
12-digit division codes (``PPCCTTTVVV`` style: province+city, county,
township, village) and the offices a county really has.
"""

from __future__ import annotations

import csv
import io

from core.catalog.registry import get_catalog
from core.spreadsheets import LINE_END, csv_cell
from core.tenancy.units_import import COLUMNS

# County-level offices: code suffix, kind, Chinese and English name.
OFFICES = (
    ("ZW", "service_centre", "政务服务中心", "Service Centre"),
    ("SW", "tax_office", "税务局", "Tax Bureau"),
    ("GA", "police_office", "公安局", "Public Security Bureau"),
    ("SB", "social_security_office", "社会保险事务中心", "Social Insurance Centre"),
)

COUNTY_TOWNSHIPS = 18
COUNTY_VILLAGES = 278


def _row(code, name, name_en, kind, level, parent) -> dict[str, str]:
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "level": level,
        "parent_code": parent,
    }


def county_rows(
    county_code: str,
    parent_code: str,
    *,
    townships: int = COUNTY_TOWNSHIPS,
    villages: int = COUNTY_VILLAGES,
    number: int = 1,
) -> list[dict[str, str]]:
    """One county (district level): its offices, townships with service centres, villages.

    ``villages`` are spread as evenly as possible over the townships.
    """
    kinds = get_catalog().unit_kinds
    prefix = county_code[:6]
    rows = [
        _row(county_code, f"第{number}县", f"County {number}", "district", "district", parent_code)
    ]
    for suffix, kind, name, name_en in OFFICES:
        if kind in kinds:
            rows.append(
                _row(
                    f"{county_code}-{suffix}",
                    f"第{number}县{name}",
                    f"County {number} {name_en}",
                    kind,
                    "district",
                    county_code,
                )
            )
    base, extra = divmod(villages, townships)
    for t in range(townships):
        town = f"{prefix}{100 + t + 1:03d}000"
        label = f"第{number}县第{t + 1}镇"
        label_en = f"County {number} Town {t + 1}"
        rows.append(_row(town, label, label_en, "township", "township", county_code))
        rows.append(
            _row(
                f"{town}-BM",
                f"{label}便民服务中心",
                f"{label_en} Service Centre",
                "service_centre",
                "township",
                town,
            )
        )
        for v in range(base + (1 if t < extra else 0)):
            rows.append(
                _row(
                    f"{town[:9]}{200 + v + 1:03d}",
                    f"{label}第{v + 1}村",
                    f"{label_en} Village {v + 1}",
                    "village",
                    "village",
                    town,
                )
            )
    return rows


def city_rows(
    city_code: str,
    *,
    parent_code: str = "",
    counties: int = 16,
    townships: int = COUNTY_TOWNSHIPS,
    villages: int = COUNTY_VILLAGES,
) -> list[dict[str, str]]:
    """A prefecture-level city: about 5,100 units with the defaults.

    With ``parent_code`` the counties hang under that existing unit and no
    city row is generated (to add a test tree beside a site's own).
    """
    if counties > 99:
        raise ValueError("at most 99 counties fit in a division code")
    rows: list[dict[str, str]] = []
    top = parent_code
    if not parent_code:
        top = city_code
        rows.append(_row(city_code, "样例市", "Sample City", "city", "city", ""))
        rows.append(
            _row(
                f"{city_code}-ZW",
                "样例市政务服务中心",
                "Sample City Service Centre",
                "service_centre",
                "city",
                city_code,
            )
        )
    for c in range(counties):
        county = f"{city_code[:4]}{c + 1:02d}000000"
        rows += county_rows(county, top, townships=townships, villages=villages, number=c + 1)
    return rows


def city_of_size(
    units: int, city_code: str = "519900000000", *, parent_code: str = ""
) -> list[dict[str, str]]:
    """A city of roughly ``units`` units, grown by adding villages and counties."""
    per_county = 2 + len(OFFICES) + 2 * COUNTY_TOWNSHIPS + COUNTY_VILLAGES
    counties = max(1, min(99, round(units / per_county)))
    villages = COUNTY_VILLAGES
    townships = COUNTY_TOWNSHIPS
    if units / per_county > 99:  # bigger counties instead of more of them
        counties = 40
        townships = 40
        villages = max(1, units // counties - 2 - len(OFFICES) - 2 * townships)
    return city_rows(
        city_code,
        parent_code=parent_code,
        counties=counties,
        townships=townships,
        villages=villages,
    )


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator=LINE_END)
    writer.writeheader()
    # As every CSV Tongban writes (core.spreadsheets): the importer reads it back as is.
    writer.writerows({name: csv_cell(value) for name, value in row.items()} for row in rows)
    return buffer.getvalue()
