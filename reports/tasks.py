from celery import shared_task
from django.conf import settings

from liaison.tasks import deliver_notifications

from . import services


# Celery's own soft limit is a backstop: render_limits stops the render at
# settings.DOCUMENT_RENDER_SECONDS, at the next page.
@shared_task(
    name=services.RENDER_TASK,
    ignore_result=True,
    soft_time_limit=settings.DOCUMENT_RENDER_SECONDS + 60,
    time_limit=settings.DOCUMENT_RENDER_SECONDS + 120,
)
def render_document(document_id: int, generation: int) -> dict:
    """Render one requested document. Re-reads the row; harmless to run twice (only the
    run that claims the row renders, and never an older generation)."""
    document = services.document_render(document_id=document_id, generation=generation)
    if document is not None:
        # The editable Word copy, from the same data: after the PDF, so that the PDF is
        # not kept waiting for it.
        services.document_word(document_id=document_id, generation=generation)
    if document is not None and document.issues.exists():
        deliver_notifications()  # tell the leaders now rather than at the next sweep
    return {"rendered": document is not None}


@shared_task(name="reports.tasks.documents_sweep", ignore_result=True)
def documents_sweep() -> dict:
    """Re-queue documents whose task was lost (Redis down) or whose worker died."""
    return {"requeued": services.documents_requeue()}
