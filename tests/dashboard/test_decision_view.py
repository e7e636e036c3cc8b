"""Recording a decision from the post page: HTMX in place, or a plain POST and redirect."""

from __future__ import annotations

import pytest
from django.urls import reverse

from readiness.assessments.models import Assessment, Decision
from readiness.posts.models import Post
from tests.dashboard.conftest import htmx

pytestmark = pytest.mark.django_db


def url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:decision_create", args=[post.code])


def form_data(post, **changes):  # type: ignore[no-untyped-def]
    seen = Assessment.objects.filter(post=post).latest()
    data = {
        "to_level": seen.recommended_level
        if seen.recommended_level != post.level
        else post.level + 1,
        "rationale": "Peers have ordered departure; the airport may close within days.",
        "assessment": seen.pk,
    }
    if data["to_level"] != seen.recommended_level:
        data["against_recommendation_confirmed"] = "on"
    data.update(changes)
    return data


def test_the_form_shows_the_assessment_it_is_taken_against(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    seen = Assessment.objects.filter(post=bamako_today).latest()
    html = duty_client.get(reverse("dashboard:post", args=["ML-BKO"])).content.decode()
    form = html[html.index('id="record-decision"') :]
    form = form[: form.index("</section>")]
    assert f'name="assessment" value="{seen.pk}"' in form
    assert f"recommended level {seen.recommended_level}" in form
    assert "against_recommendation_confirmed" in form


def test_htmx_success_swaps_the_form_and_announces_the_change(
    duty_client, bamako_today, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    before = Assessment.objects.filter(post=bamako_today).count()
    data = form_data(bamako_today)
    with django_capture_on_commit_callbacks(execute=True):
        response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    assert response.status_code == 200
    assert (
        # The re-score is queued (a test transaction never commits): the page is told so.
        "rescoreQueued" in response["HX-Trigger"]
    )
    assert "Decision recorded" in response.content.decode()
    post = Post.objects.get(pk=bamako_today.pk)
    assert post.level == data["to_level"]
    assert Decision.objects.filter(post=post, to_level=data["to_level"]).exists()
    # The level change queued a re-score, which ran on commit (tasks are eager in tests).
    assert Assessment.objects.filter(post=post).count() == before + 1
    assert Assessment.objects.filter(post=post).latest().current_level == data["to_level"]


def test_without_javascript_success_redirects_to_the_log(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    response = duty_client.post(url(bamako_today), form_data(bamako_today))
    assert response.status_code == 302
    assert response["Location"].endswith("/posts/ML-BKO/#decisions")


def test_a_missing_rationale_is_shown_in_place_and_keeps_the_input(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    data = form_data(bamako_today, rationale="")
    response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<section id="record-decision"')
    assert "This field is required" in html
    assert f'<option value="{data["to_level"]}" selected>' in html
    assert not Decision.objects.filter(post=bamako_today, rationale="").exists()


def test_going_against_the_recommendation_without_confirming_is_refused(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    seen = Assessment.objects.filter(post=bamako_today).latest()
    other = next(r for r in range(7) if r not in (seen.recommended_level, bamako_today.level))
    data = form_data(bamako_today, to_level=other, rationale="We disagree: the calm holds.")
    data.pop("against_recommendation_confirmed", None)
    response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "tick to confirm" in html
    assert "We disagree: the calm holds." in html
    assert Post.objects.get(pk=bamako_today.pk).level == bamako_today.level


def test_without_javascript_an_error_renders_the_whole_page_with_the_form(
    duty_client, bamako_today
):  # type: ignore[no-untyped-def]
    response = duty_client.post(url(bamako_today), form_data(bamako_today, rationale=""))
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" in html and 'id="gauge"' in html
    assert "This field is required" in html


def test_a_stale_assessment_is_refused_and_the_form_moves_to_the_newest(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    data = form_data(bamako_today)
    duty_client.post(url(bamako_today), data)  # another officer decided first
    post = Post.objects.get(pk=bamako_today.pk)
    from readiness.assessments.services import post_rescore

    fresh = post_rescore(post_id=post.pk)
    response = duty_client.post(
        url(post), dict(data, to_level=0, rationale="Too hasty"), **htmx("record-decision")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Review the newest assessment" in html
    assert f'name="assessment" value="{fresh.pk}"' in html
    assert "Too hasty" in html


def test_a_post_officer_cannot_decide(officer_client, post_a):  # type: ignore[no-untyped-def]
    response = officer_client.post(url(post_a), form_data(post_a))
    assert response.status_code == 403
    assert not Decision.objects.filter(post=post_a).exists()
    html = officer_client.get(reverse("dashboard:post", args=[post_a.code])).content.decode()
    assert "recorded by the crisis centre" in html


def test_an_outsider_gets_404(outsider_client, post_a):  # type: ignore[no-untyped-def]
    assert outsider_client.post(url(post_a), form_data(post_a)).status_code == 404


def test_a_get_goes_back_to_the_form(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.get(url(post_a))
    assert response.status_code == 302 and response["Location"].endswith("#record-decision")


# --- The assessment is required and the post's own ------------------------------------------


@pytest.mark.parametrize("given", [None, "", "999999", "abc", "-1", "99999999999999999999999"])
def test_a_decision_without_a_valid_assessment_is_refused_and_nothing_written(
    duty_client, bamako_today, given
):  # type: ignore[no-untyped-def]
    data = form_data(bamako_today, rationale="Typed with care")
    if given is None:
        del data["assessment"]
    else:
        data["assessment"] = given
    response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "assessment" in html and (
        "none was given" in html
        or "not one of this post" in html
        or "not an assessment of this post" in html
    )
    newest = Assessment.objects.filter(post=bamako_today).latest()
    assert f'name="assessment" value="{newest.pk}"' in html, "the form moves to the newest"
    assert "Typed with care" in html
    assert not Decision.objects.filter(post=bamako_today, rationale="Typed with care").exists()
    assert Post.objects.get(pk=bamako_today.pk).level == bamako_today.level


def test_another_post_s_assessment_is_refused_and_nothing_written(
    duty_client, bamako_today, post_a
):  # type: ignore[no-untyped-def]
    foreign = Assessment.objects.filter(post=post_a).latest()
    data = form_data(bamako_today, assessment=foreign.pk, against_recommendation_confirmed="on")
    response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    assert response.status_code == 422
    assert "not one of this post" in response.content.decode()
    assert not Decision.objects.filter(origin="officer").exists()
    assert Post.objects.get(pk=bamako_today.pk).level == bamako_today.level
