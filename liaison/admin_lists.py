"""What keeps a long admin list (the outbox, the points ledger, invitations …) costing
the same at 5,000 members or 50,000: its paginator counts only up to a bound.

Django's changelist counts every matching row for its page links (``show_full_result_count
= False`` spares only the second, unfiltered count): over a district's outbox, or a
search for 王 over it, that count reads the whole table, where the page itself reads the
newest 50 through an index. Past ``COUNT_BOUND`` rows the list says "超过1,000条" and
links the first pages; a filter or a search narrows it, as staff do."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_BOUND = 1000


class BoundedCountPaginator(Paginator):
    """Counts at most ``COUNT_BOUND`` + 1 rows (``SELECT COUNT(*) FROM (… LIMIT 1001)``);
    ``bounded`` says the list holds more than that."""

    bound = COUNT_BOUND

    @cached_property
    def count(self):
        object_list = self.object_list
        if not hasattr(object_list, "query"):
            return len(object_list)
        # The rows' order does not change how many there are: without it the database
        # stops at the bound along whichever index it likes.
        return object_list.order_by()[: self.bound + 1].count()

    @property
    def bounded(self) -> bool:
        return self.count > self.bound


class BoundedCountMixin:
    """A ModelAdmin whose list may grow past what one count should read."""

    paginator = BoundedCountPaginator
    show_full_result_count = False
