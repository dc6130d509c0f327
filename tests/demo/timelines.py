"""Reading back the timelines (StatusChange rows) the demo wrote."""

from collections import defaultdict

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from demo.history import TIMELINES
from liaison.models import StatusChange


def timeline_faults(today) -> tuple[list[tuple], set[type]]:
    """Every row that breaks a timeline, walked as the admin shows it (oldest first):
    a record not created in a state its services create it in, a move its workflow does
    not allow or not from where the record stood, a timeline that does not end in the
    record's status, a row dated after ``today``. Also returns the models walked."""
    timelines = defaultdict(list)
    for change in StatusChange.objects.all():
        timelines[(change.content_type_id, change.object_id)].append(change)
    models = {
        ct.pk: ct.model_class()
        for ct in ContentType.objects.filter(pk__in={ct for ct, _ in timelines})
    }
    records = {
        model: model._default_manager.in_bulk([pk for ct, pk in timelines if models[ct] is model])
        for model in set(models.values())
    }
    faults = []
    for (ct, pk), changes in timelines.items():
        model = models[ct]
        timeline = TIMELINES[model]
        # The table checked is the one the admin's timeline labels the moves with.
        assert admin.site.get_model_admin(model).workflow is timeline.workflow
        name = f"{model.__name__} {pk}"
        first, *moves = changes
        if first.from_status or first.to_status not in timeline.created_in:
            faults.append((name, "created", first.from_status, first.to_status))
        previous = first.to_status
        for change in moves:
            source, target = change.from_status, change.to_status
            # A note (from = to) moves nothing; anything else must be an allowed move
            # from where the record stood.
            if source != previous or (
                source != target and not timeline.workflow.allows(source, target)
            ):
                faults.append((name, f"standing {previous}", source, target))
            previous = target
        if records[model][pk].status != previous:
            faults.append((name, "ends", previous, records[model][pk].status))
        late = [c for c in changes if timezone.localdate(c.created_at) > today]
        if late:
            faults.append((name, "dated after today", late[0].to_status, late[0].created_at))
    return faults, set(models.values())
