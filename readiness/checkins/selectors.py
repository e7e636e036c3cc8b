"""The accountability board of a post's newest check-in (the post page's "Staff check-in"
panel): who needs help, who has not answered, who could not be reached, who answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from readiness.posts.models import Post

from .models import Answer, Channel, Checkin, CheckinRequest


def overdue_hours() -> int:
    return int(settings.CHECKIN_OVERDUE_HOURS)


@dataclass(slots=True)
class BoardRow:
    name: str
    headcount: int
    channel: str
    answer: str = ""
    answer_label: str = ""
    answered_at: dt.datetime | None = None
    note: str = ""
    sent_at: dt.datetime | None = None
    send_error: str = ""


@dataclass(slots=True)
class Board:
    checkin: Checkin
    now: dt.datetime
    need_help: list[BoardRow] = field(default_factory=list)
    overdue: list[BoardRow] = field(default_factory=list)
    waiting: list[BoardRow] = field(default_factory=list)
    unreachable: list[BoardRow] = field(default_factory=list)
    answered: list[BoardRow] = field(default_factory=list)

    @property
    def expired(self) -> bool:
        return self.checkin.expires_at <= self.now

    @property
    def open(self) -> bool:
        return not self.expired and self.checkin.closed_at is None

    @staticmethod
    def _people(rows: list[BoardRow]) -> int:
        return sum(row.headcount for row in rows)

    @property
    def asked_people(self) -> int:
        return self._people(
            self.need_help + self.overdue + self.waiting + self.unreachable + self.answered
        )

    @property
    def answered_people(self) -> int:
        return self._people(self.need_help + self.answered)

    @property
    def need_help_people(self) -> int:
        return self._people(self.need_help)

    @property
    def safe_people(self) -> int:
        return self._people([r for r in self.answered if r.answer == Answer.SAFE])

    @property
    def left_people(self) -> int:
        return self._people([r for r in self.answered if r.answer == Answer.LEFT])

    @property
    def overdue_people(self) -> int:
        return self._people(self.overdue)

    @property
    def waiting_people(self) -> int:
        return self._people(self.waiting)

    @property
    def unreachable_people(self) -> int:
        return self._people(self.unreachable)

    @property
    def overdue_hours(self) -> int:
        return overdue_hours()


def board(*, post: Post, now: dt.datetime | None = None) -> Board | None:
    """The post's newest check-in and its rows, or None if none was ever started. One
    query without a check-in, two with one."""
    checkin = Checkin.objects.filter(post=post).order_by("-started_at", "-pk").first()
    if checkin is None:
        return None
    now = now or timezone.now()
    result = Board(checkin=checkin, now=now)
    late = now - dt.timedelta(hours=overdue_hours())
    labels = dict(Answer.choices)
    requests = (
        CheckinRequest.objects.filter(checkin=checkin)
        .select_related("answer")
        .order_by("staff_name", "pk")
    )
    for request in requests:
        row = BoardRow(
            name=request.staff_name,
            headcount=request.headcount,
            channel=request.channel,
            sent_at=request.sent_at,
            send_error=request.send_error,
        )
        answer = getattr(request, "answer", None)
        if answer is not None:
            row.answer = answer.answer
            row.answer_label = str(labels.get(answer.answer, answer.answer))
            row.answered_at = answer.answered_at
            row.note = answer.note
            if answer.answer == Answer.NEED_HELP:
                result.need_help.append(row)
            else:
                result.answered.append(row)
        elif request.channel == Channel.NONE or request.sent_at is None:
            result.unreachable.append(row)
        elif request.sent_at <= late:
            result.overdue.append(row)
        else:
            result.waiting.append(row)
    result.need_help.sort(key=lambda r: r.answered_at or now)
    result.answered.sort(key=lambda r: r.answered_at or now, reverse=True)
    return result
