from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Delivery, Notification, NotificationSettings, PostFailure, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "scope", "region", "on_level", "on_verdict", "on_failure", "by_email"]
    list_filter = ["scope", "by_email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["posts"]
    search_fields = ["user__username", "region"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "quiet_from", "quiet_until", "timezone", "language"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every e-mail and in-application delivery with its status and last error."""

    list_display = [
        "created_at",
        "notification",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "in_digest"]
    list_select_related = ["notification__user", "notification__post"]
    raw_id_fields = ["notification"]
    readonly_fields = [
        "notification",
        "channel",
        "status",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "attempts",
        "last_error",
        "sent_at",
        "in_digest",
    ]
    actions = ["send_again"]

    @admin.action(description="Send again now")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = services.deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} e-mails queued again.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "post", "kinds", "read_at"]
    list_select_related = ["user", "post"]
    raw_id_fields = ["user", "post", "change", "failure"]
    list_filter = ["kinds"]


@admin.register(PostFailure)
class PostFailureAdmin(admin.ModelAdmin):
    list_display = ["post", "failed_at", "resolved_at", "created_at"]
    list_select_related = ["post"]
    raw_id_fields = ["post"]
