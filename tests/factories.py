"""factory_boy factories for the domain. A post made here has its own copy of the default
ladder, as a post created through the admin or a scenario does."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from readiness.assessments.models import Assessment, Decision
from readiness.indicators.models import Indicator
from readiness.posts.models import ExitRoute, Post
from readiness.posts.services import post_ladder_copy
from readiness.rosters.models import AssemblyPoint, Community, School, StaffMember, Warden


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"ZZ-P{n:04d}")
    name = factory.Sequence(lambda n: f"Post {n}")
    country = "ZZ"
    city = factory.Sequence(lambda n: f"City {n}")
    region = "Sahel"
    timezone = "Africa/Bamako"

    @factory.post_generation
    def ladder(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            post_ladder_copy(post=self)


class ExitRouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExitRoute

    post = factory.SubFactory(PostFactory)
    key = factory.Sequence(lambda n: f"route-{n}")
    mode = "commercial_air"
    from_place = "Airport"
    to_place = "Paris"
    status = "open"
    seats_per_day = 80
    closes_at_threat = 85


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"Staff member {n}")
    category = "expatriate"
    essential = False
    email = factory.Sequence(lambda n: f"staff{n}@post.example")
    last_confirmed_at = factory.LazyFunction(timezone.now)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    pupils = 200
    expatriate_staff = 10


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    post = factory.SubFactory(PostFactory)
    registered = 1000
    dual_nationals = 600
    unregistered_estimate = 100


class WardenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warden

    post = factory.SubFactory(PostFactory)
    zone = factory.Sequence(lambda n: f"Zone {n}")
    name = factory.Sequence(lambda n: f"Warden {n}")


class AssemblyPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssemblyPoint

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"Assembly point {n}")
    capacity = 300


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    post = factory.SubFactory(PostFactory)
    category = "incident"
    severity = 3
    reliability = "B"
    credibility = 2
    source = "Post security officer"
    text = "Armed clash on the airport road"
    observed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A stored assessment with plain figures (no engine run)."""

    class Meta:
        model = Assessment

    post = factory.SubFactory(PostFactory)
    evaluated_at = factory.LazyFunction(timezone.now)
    current_level = 0
    recommended_level = 0
    verdict = "on_time"
    threat_index = 10.0
    trend_per_day = 0.0
    preparedness = 50.0
    fingerprint = "f"
    explanation = factory.LazyFunction(dict)


class DecisionFactory(factory.django.DjangoModelFactory):
    """An officer's decision, taken against an assessment of its own post that recommended
    the level decided (a decision in this system always has one)."""

    class Meta:
        model = Decision

    post = factory.SubFactory(PostFactory)
    from_level = 0
    to_level = 1
    rationale = "Threat index rising after incidents"
    assessment = factory.SubFactory(
        AssessmentFactory,
        post=factory.SelfAttribute("..post"),
        current_level=factory.SelfAttribute("..from_level"),
        recommended_level=factory.SelfAttribute("..to_level"),
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")
