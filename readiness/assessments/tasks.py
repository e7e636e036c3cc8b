from celery import shared_task


@shared_task
def rescore_post(post_id: int) -> None:
    """Re-score one post (filled in with the engine)."""
