"""Recording a level decision: the only way a post's level changes (the log is evidence)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readiness.posts.models import AlertLevel, Post

from .models import Assessment, Decision, DecisionOrigin


@transaction.atomic
def decision_record(
    *,
    post: Post,
    to_level: int,
    rationale: str,
    user: User | AnonymousUser | None,
    assessment: Assessment | None,
    against_recommendation_confirmed: bool,
) -> Decision:
    """Append a decision taken against ``assessment`` (what the officer saw: required, and
    one of the post's own) and move the post to ``to_level``. Raises ValidationError naming
    the field at fault; nothing is written then.

    The post row is locked for the whole check-and-write, so two officers deciding at once
    are serialised: the second one sees the first one's level and is told, instead of
    recording a decision "from" a level the post has already left. The re-score that the
    level change queues runs after the commit.
    """
    locked = Post.objects.select_for_update().get(pk=post.pk)
    rationale = rationale.strip()
    errors: dict[str, str] = {}
    names = dict(AlertLevel.objects.filter(post=locked).values_list("rank", "name"))
    if to_level not in names:
        errors["to_level"] = _("This post's ladder has no level of that rank.")
    elif to_level == locked.level:
        errors["to_level"] = _("The post is already at this level.")
    if not rationale:
        errors["rationale"] = _("Say why: the rationale is part of the record.")
    # The assessment is required and must be the post's own: without it the two checks
    # below ("against the recommendation", "your view is out of date") could be skipped.
    if assessment is None:
        errors["assessment"] = (
            _(
                "A decision is taken against the post's newest assessment: none was given. "
                "Review the assessment now shown before deciding."
            )
            if locked.newest_assessment_id is not None
            else _(
                "This post has not been assessed yet: a decision is taken against an "
                "assessment. Wait for the first one (a minute at most), then decide."
            )
        )
    elif assessment.post_id != locked.pk:
        errors["assessment"] = _(
            "That assessment is not one of this post's. Review the post's newest assessment "
            "before deciding."
        )
    elif assessment.current_level != locked.level:
        # Someone else changed the level since this assessment: the officer's view of
        # the situation is out of date.
        errors["assessment"] = _(
            "The level has changed since this assessment (now %(level)s). Review the "
            "newest assessment before deciding."
        ) % {"level": names.get(locked.level, locked.level)}
    else:
        newest = (
            Assessment.objects.filter(pk=locked.newest_assessment_id)
            .only("id", "recommended_level", "verdict")
            .first()
            if locked.newest_assessment_id is not None
            else None
        )
        if newest is not None and (newest.recommended_level, newest.verdict) != (
            assessment.recommended_level,
            assessment.verdict,
        ):
            errors["assessment"] = _(
                "A newer assessment changed the recommendation since you opened the form. "
                "Review it before deciding."
            )
    if (
        assessment is not None
        and assessment.post_id == locked.pk
        and "to_level" not in errors
        and to_level != assessment.recommended_level
        and not against_recommendation_confirmed
    ):
        errors["against_recommendation_confirmed"] = _(
            "This goes against the recommended level (%(level)s): tick to confirm."
        ) % {"level": names.get(assessment.recommended_level, assessment.recommended_level)}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    decision = Decision(
        post=locked,
        from_level=locked.level,
        to_level=to_level,
        decided_at=now,
        recorded_at=now,
        decided_by=user if user is not None and user.is_authenticated else None,
        rationale=rationale,
        assessment=assessment,
        origin=DecisionOrigin.OFFICER,
    )
    decision.full_clean()
    decision.save()
    locked.level = to_level
    locked.save(update_fields=["level"])
    post.level = to_level
    return decision
