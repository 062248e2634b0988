"""Reference numbers (受理编号) and access codes (查询码).

References are human-friendly: the year and a zero-padded sequence, ``2026-000123``. On
PostgreSQL each year has its own SEQUENCE, created on first use: ``nextval`` never blocks and is
never rolled back, so concurrent submissions never queue on a counter row (a rolled-back
submission leaves a gap, which is harmless). On SQLite, which serialises writers anyway, a
counter row per year is incremented inside the submission's transaction.

Access codes are 12 characters from a 32-letter alphabet without look-alikes (no 0/O, 1/I):
60 bits of entropy. Only a keyed HMAC-SHA256 is stored (DESIGN section 11) — a password hasher
would cost ~100 ms of CPU on every submission and every lookup.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import ReferenceCounter

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 12  # 12 × log2(32) = 60 bits
REFERENCE_RE = re.compile(r"^[0-9]{4}-[0-9]{6,}$")

# Sequences created ahead by migration 0003; other years are created on first use.
PRECREATED_YEARS = range(2020, 2101)


def reference_next(*, year: int | None = None) -> str:
    """Allocate the next reference number of ``year`` (default: this year in Asia/Shanghai)."""
    if year is None:
        year = timezone.localdate().year
    if connection.vendor == "postgresql":
        number = _postgres_next(year)
    else:
        number = _counter_next(year)
    return reference_format(year, number)


def reference_format(year: int, number: int) -> str:
    """``2026-000123``: the year and the zero-padded number of a reference."""
    return f"{year}-{number:06d}"


def sequence_name(year: int) -> str:
    return f"complaints_reference_{int(year):04d}_seq"


def _postgres_next(year: int) -> int:
    name = sequence_name(year)
    with connection.cursor() as cursor:
        if year not in PRECREATED_YEARS:
            # Outside the pre-created range (practically never): make sure it exists, in a
            # savepoint. Two transactions creating it at once collide on the catalogue's unique
            # index (CREATE ... IF NOT EXISTS is not race-free): the loser waits for the
            # winner's commit, its savepoint is rolled back and it simply uses the sequence.
            # Nothing is remembered across transactions, so a CREATE rolled back with its
            # transaction can never leave a process believing the sequence exists.
            try:
                with transaction.atomic():
                    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            except DatabaseError:
                pass
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def _counter_next(year: int) -> int:
    # SQLite: the enclosing transaction holds the database's write lock (IMMEDIATE mode), so
    # the read after the increment sees our own value.
    updated = ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
    if not updated:
        ReferenceCounter.objects.get_or_create(year=year, defaults={"last": 0})
        ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
    return ReferenceCounter.objects.values_list("last", flat=True).get(year=year)


def normalize_reference(value: str) -> str:
    return (value or "").strip()


def access_code_new() -> str:
    """A uniformly random code: one draw below ``len(alphabet) ** length`` written in that
    base (one read of the system's random source, not one per character)."""
    number = secrets.randbelow(len(ACCESS_CODE_ALPHABET) ** ACCESS_CODE_LENGTH)
    characters = []
    for _ in range(ACCESS_CODE_LENGTH):
        number, digit = divmod(number, len(ACCESS_CODE_ALPHABET))
        characters.append(ACCESS_CODE_ALPHABET[digit])
    return "".join(characters)


def normalize_access_code(value: str) -> str:
    """Upper case, without the spaces and dashes people type when copying a grouped code."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def access_code_display(code: str) -> str:
    """``ABCD2345EFGH`` → ``ABCD-2345-EFGH`` for reading aloud and printing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def access_code_hash(code: str) -> str:
    key = settings.ACCESS_CODE_KEY.encode()
    return hmac.new(key, normalize_access_code(code).encode(), hashlib.sha256).hexdigest()


def access_code_matches(code: str, stored_hash: str) -> bool:
    """Constant-time comparison of a typed code against the stored HMAC."""
    return hmac.compare_digest(access_code_hash(code), stored_hash or "")
