"""The staff's to-dos are counted from partial indexes of the records still waiting
(issue 15: the district's workbench weighs the same at 5,000 members and 50,000). An
index's condition names the statuses as text; it must stay the statuses the to-dos
count, or the database falls back to reading every row."""

import pytest

from proposals.models import Proposal
from visits.models import Concern


def _condition_statuses(model, name) -> set:
    index = next(i for i in model._meta.indexes if i.name == name)
    ((lookup, statuses),) = index.condition.children
    assert lookup == "status__in"
    return set(statuses)


@pytest.mark.parametrize(
    ("model", "name", "statuses"),
    [
        (Proposal, "proposal_todo_idx", Proposal.WAITING_STATUSES),
        (Concern, "concern_todo_idx", Concern.WAITING_STATUSES),
    ],
)
def test_each_todo_index_holds_the_statuses_its_todos_count(model, name, statuses):
    assert _condition_statuses(model, name) == {str(s) for s in statuses}
