import datetime

import factory
from django.utils import timezone

from credit_records.choices import POLARITY_OF_KIND, Kind, RecordStatus, Severity, Source
from credit_records.models import CreditRecord
from credit_records.publicity import publicity_dates
from tests.agencies.factories import AgencyFactory


class CreditRecordFactory(factory.django.DjangoModelFactory):
    """A record as a push would store it (bypasses the service: for read-side tests only)."""

    class Meta:
        model = CreditRecord

    agency = factory.SubFactory(AgencyFactory)
    kind = Kind.BREACH
    polarity = factory.LazyAttribute(lambda o: POLARITY_OF_KIND[o.kind])
    severity = factory.LazyAttribute(
        lambda o: Severity.GENERAL if POLARITY_OF_KIND[o.kind] == "negative" else ""
    )
    facts = "拒不履行合同约定的付款义务"
    # Recent enough to be inside a general record's publicity window whenever tests run.
    decided_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    source = Source.COURT
    source_ref = factory.Sequence(lambda n: f"REF-{n:06d}")
    status = RecordStatus.ACTIVE
    repair_eligible_on = factory.LazyAttribute(
        lambda o: publicity_dates(severity=o.severity, decided_on=o.decided_on)[0]
    )
    publicity_ends = factory.LazyAttribute(
        lambda o: publicity_dates(severity=o.severity, decided_on=o.decided_on)[1]
    )
