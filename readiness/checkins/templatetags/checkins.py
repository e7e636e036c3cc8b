"""The check-in panel of the post page: {% checkin_panel page %} (templates/checkins/panel.html,
included from templates/dashboard/post_detail.html)."""

from __future__ import annotations

from typing import Any

from django import template

from readiness.checkins.forms import StartForm
from readiness.checkins.selectors import board

register = template.Library()


@register.inclusion_tag("checkins/board.html", takes_context=True)
def checkin_panel(context: Any, page: Any) -> dict[str, Any]:
    """The board of the post's newest check-in and, for those who may write, the form that
    starts one. ``page`` is the post page (readiness.dashboard.pages.PostPage)."""
    return board_context(
        context.get("request"),
        post=page.post,
        can_write=page.can_write,
        personal=page.personal,
        form=context.get("checkin_form"),
        now=page.now,
        csrf_token=context.get("csrf_token"),
    )


def board_context(
    request: Any,
    *,
    post: Any,
    can_write: bool,
    personal: bool,
    form: StartForm | None = None,
    now: Any = None,
    csrf_token: Any = None,
) -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "request": request,
        "post": post,
        "board": board(post=post, now=now),
        "can_write": can_write,
        "personal": personal,
        "form": form or StartForm(),
    }
