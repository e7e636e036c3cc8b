"""Who is in the country: staff, schools, the citizen community, wardens and assembly points.

The engine's loads come from here (people still in place), and so does most of the
preparedness score (confirmations, contacts, zone coverage).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from readiness.posts import limits
from readiness.posts.models import (
    Post,
    latitude_field,
    longitude_field,
    point_clean,
    point_constraints,
)

# A phone number as people write them: an optional +, then digits with spaces, dots,
# dashes, slashes or brackets between them; 6 digits at least. Anything else -- a word, a
# formula such as =HYPERLINK(...) -- is refused at every door (admin, import, dashboard,
# scenario files), with this message.
PHONE_VALIDATOR = RegexValidator(
    r"^\+?\(?[0-9](?:[0-9 ./()-]*[0-9])?$",
    _(
        "Enter a phone number: digits, with an optional leading + and spaces, dots, dashes or brackets between them (for example +223 20 22 00 00)."
    ),
    code="phone",
)


def validate_phone(value: str) -> None:
    PHONE_VALIDATOR(value)
    if sum(ch.isdigit() for ch in value) < 6:
        raise ValidationError(_("A phone number has at least 6 digits."), code="phone")


class StaffCategory(models.TextChoices):
    EXPATRIATE = "expatriate", _("Expatriate")
    LOCAL = "local", _("Local employee")


class StaffMember(models.Model):
    """A person, or a group of alike people (``headcount`` > 1) where names are not kept here."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=12, choices=StaffCategory.choices)
    essential = models.BooleanField(default=False)
    headcount = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1), limits.STAFF_GROUP_CEILING],
        help_text=_("1 for a person; more for a group row"),
    )
    dependants = models.PositiveIntegerField(
        default=0, validators=[limits.STAFF_DEPENDANTS_CEILING]
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    present = models.BooleanField(default=True, help_text=_("Still in the country"))
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["post__code", "category", "name"]
        # readiness/posts/access.py: names and contacts of staff and wardens.
        permissions = [
            ("view_personal_data", "Can see the names and contacts of staff and wardens")
        ]
        constraints = [
            models.UniqueConstraint(fields=["post", "name"], name="staff_name_unique_per_post"),
            models.CheckConstraint(
                condition=Q(category__in=StaffCategory.values), name="staff_category_valid"
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="staff_headcount_positive"),
            # Plausibility ceilings (readiness/posts/limits.py): a typo is refused.
            models.CheckConstraint(
                condition=Q(
                    headcount__lte=limits.STAFF_GROUP_MAX,
                    dependants__lte=limits.STAFF_DEPENDANTS_MAX,
                ),
                name="staff_counts_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contactable(self) -> bool:
        return bool(self.phone or self.email)


class School(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=120)
    pupils = models.PositiveIntegerField(default=0, validators=[limits.SCHOOL_PUPILS_CEILING])
    expatriate_staff = models.PositiveIntegerField(
        default=0, validators=[limits.SCHOOL_STAFF_CEILING]
    )
    is_open = models.BooleanField(_("open"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["post__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["post", "name"], name="school_name_unique_per_post"),
            models.CheckConstraint(
                condition=Q(
                    pupils__lte=limits.SCHOOL_PUPILS_MAX,
                    expatriate_staff__lte=limits.SCHOOL_STAFF_MAX,
                ),
                name="school_counts_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """The citizen community around a post, as counted now (people who left are no longer
    registered here)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="community")
    registered = models.PositiveIntegerField(default=0, validators=[limits.COMMUNITY_CEILING])
    dual_nationals = models.PositiveIntegerField(
        default=0, validators=[limits.COMMUNITY_CEILING], help_text=_("Of the registered")
    )
    unregistered_estimate = models.PositiveIntegerField(
        default=0, validators=[limits.COMMUNITY_CEILING]
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "communities"
        constraints = [
            models.CheckConstraint(
                condition=Q(dual_nationals__lte=F("registered")),
                name="community_dual_within_registered",
            ),
            # dual_nationals is bounded by registered.
            models.CheckConstraint(
                condition=Q(
                    registered__lte=limits.COMMUNITY_MAX,
                    unregistered_estimate__lte=limits.COMMUNITY_MAX,
                ),
                name="community_counts_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"Community of {self.post.code}"

    def clean(self) -> None:
        if (
            self.dual_nationals is not None
            and self.registered is not None
            and self.dual_nationals > self.registered
        ):
            raise ValidationError({"dual_nationals": _("Cannot exceed the registered citizens.")})


class Warden(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="wardens")
    zone = models.CharField(max_length=80)
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(blank=True)
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The centre of the warden's zone, for the post's map (one point per zone is enough:
    # the map takes the first warden's of each zone that has one).
    latitude = latitude_field(_("zone latitude"))
    longitude = longitude_field(_("zone longitude"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["post__code", "zone", "name"]
        constraints = [
            models.UniqueConstraint(fields=["post", "zone", "name"], name="warden_unique_per_zone"),
            *point_constraints("warden_zone", "latitude", "longitude"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.zone})"

    def clean(self) -> None:
        if errors := point_clean(self, "latitude", "longitude"):
            raise ValidationError(errors)


class AssemblyPoint(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="assembly_points")
    name = models.CharField(max_length=120)
    zone = models.CharField(max_length=80, blank=True)
    capacity = models.PositiveIntegerField(default=0)
    address = models.CharField(max_length=200, blank=True)
    latitude = latitude_field(_("latitude"))
    longitude = longitude_field(_("longitude"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["post__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["post", "name"], name="assembly_point_unique_per_post"),
            *point_constraints("assembly_point", "latitude", "longitude"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if errors := point_clean(self, "latitude", "longitude"):
            raise ValidationError(errors)
