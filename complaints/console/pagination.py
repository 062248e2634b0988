"""Console pagination that stays fast on very large result sets.

An exact COUNT over, say, 450,000 overdue cases costs more than the whole rest of the page.
The console only needs "how many pages can I click through": counting stops at
``COUNT_CAP`` + 1 rows (a LIMIT inside the count), and the page then says "more than 10,000"
and suggests narrowing the filters. The API keeps exact counts (the public contract).
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)
