"""Filters the dashboard templates share: localised figures and shipped names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import template
from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from readiness.wording import numbers
from readiness.wording.vocabulary import VERDICT_MARKS, shipped

register = template.Library()


@register.filter
def age(value: dt.datetime | None) -> str:
    """'just now', '12 minutes ago', '3 hours ago'."""
    return numbers.age_text(value, timezone.now())


@register.filter(name="shipped")
def shipped_filter(name: str) -> str:
    return shipped(name or "")


@register.filter
def rank_name(rank: int | None, names: Mapping[int, str]) -> str:
    """'4 · Reduced presence' from a rank and the post's {rank: name}."""
    if rank is None:
        return "—"
    return f"{rank} · {shipped(names.get(rank, ''))}".rstrip(" ·")


@register.filter
def days(value: float | None) -> str:
    return numbers.days(value)


@register.filter
def people(value: float | None) -> str:
    return numbers.people(value)


@register.filter
def num(value: float | None, decimals: int = 1) -> str:
    return numbers.number(value, int(decimals))


@register.filter
def signed(value: float | None) -> str:
    return numbers.signed(value)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


@register.filter
def verdict_word(verdict: str) -> str:
    return numbers.verdict_word(verdict)


@register.filter
def verdict_mark(verdict: str) -> str:
    return VERDICT_MARKS.get(verdict, "")


@register.filter
def field_value(form: Any, name: str) -> Any:
    return form[name].value()


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters changed (empty removes them)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag
def field(bound: Any, checkbox: bool = False, help: str = "") -> str:
    """A form field with its label, help and errors, rendered here rather than by an
    included template: the post page has dozens of them."""
    errors = bound.errors
    label = format_html('<label for="{}">{}</label>', bound.id_for_label, bound.label)
    widget = bound.as_widget()
    inner = format_html("{} {}", widget, label) if checkbox else format_html("{}{}", label, widget)
    hint: str
    if bound.help_text:
        hint = format_html(
            '<p class="help" id="{}_helptext">{}</p>', bound.auto_id, bound.help_text
        )
    elif help:
        hint = format_html('<p class="help">{}</p>', help)
    else:
        hint = ""
    classes = "field" + (" checkbox" if checkbox else "") + (" has-error" if errors else "")
    return format_html(
        '<div class="{}">{}{}{}</div>', classes, inner, hint, str(errors) if errors else ""
    )


# --- Cached panels with forms ------------------------------------------------------------
# A panel whose HTML is cached may hold forms, and so {% csrf_token %}: the token belongs to
# one visitor and must never be served to another. The panel is rendered for the cache with
# a marker in the token's place, and the marker is replaced by this request's token on the
# way out, hit or miss.
CSRF_MARKER = "\x00csrf-token\x00"


class PanelCacheNode(template.Node):
    def __init__(self, nodelist: template.NodeList, key: Any, seconds: Any) -> None:
        self.nodelist = nodelist
        self.key = key
        self.seconds = seconds

    def render(self, context: Any) -> str:
        key = self.key.resolve(context)
        token = context.get("csrf_token")
        # No key (a bound form with errors to show) or no request to take a token from:
        # rendered as is, and not kept.
        if not key or token is None:
            return str(self.nodelist.render(context))
        key = f"panel:{key}"
        html: str | None = cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_MARKER):
                html = self.nodelist.render(context)
            cache.set(key, html, int(self.seconds.resolve(context)))
        if CSRF_MARKER in html:
            html = html.replace(CSRF_MARKER, conditional_escape(str(token)))
        return mark_safe(html)


@register.tag
def panelcache(parser: Any, token: Any) -> PanelCacheNode:
    """``{% panelcache seconds key %}…{% endpanelcache %}``: the panel's HTML, kept in
    Django's cache under ``key`` (which must name everything the panel shows; an empty key
    renders without the cache), with the visitor's CSRF token put in on every request."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("usage: {% panelcache seconds key %}")
    nodelist = parser.parse(("endpanelcache",))
    parser.delete_first_token()
    return PanelCacheNode(nodelist, parser.compile_filter(bits[2]), parser.compile_filter(bits[1]))


@register.filter(expects_localtime=True)
def shortdate(value: dt.datetime | None, fmt: str) -> str:
    """The date filter with French month abbreviations as French writes them ("6 déc.")."""
    if value is None:
        return ""
    return numbers.date_format(value, fmt)
