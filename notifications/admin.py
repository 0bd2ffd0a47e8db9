from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from .mail import clear_bounce, mark_address_bounced
from .models import BouncedAddress, Delivery, Dispatch, Preference
from .outbox import enqueue_keys


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "to_address", "status", "attempts", "created", "sent_at"]
    list_filter = ["kind", "status", ("created", admin.DateFieldListFilter)]
    search_fields = ["to_address", "user__email", "key"]
    date_hierarchy = "created"
    list_select_related = ["user"]
    readonly_fields = [
        "key",
        "kind",
        "user",
        "to_address",
        "subject",
        "status",
        "attempts",
        "last_error",
        "params",
        "meeting",
        "meeting_start",
        "claim_token",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "created",
    ]
    actions = ["mark_bounced", "retry_now"]

    def has_add_permission(self, request):
        return False  # deliveries are written by the send log only

    @admin.action(description="Mark as bounced (hard bounce reported by the mail provider)")
    def mark_bounced(self, request, queryset):
        with transaction.atomic():
            rows = list(queryset.select_related("user"))
            for delivery in rows:
                mark_address_bounced(
                    address=delivery.to_address,
                    user=delivery.user,
                    source=BouncedAddress.Source.ADMIN,
                    reason=f"Reported by {request.user.email} on delivery {delivery.key}",
                )
            queryset.update(status=Delivery.Status.BOUNCED)
        self.message_user(request, f"{len(rows)} address(es) marked as hard-bounced.", messages.SUCCESS)

    @admin.action(description="Retry now (failed or waiting deliveries)")
    def retry_now(self, request, queryset):
        keys = list(
            queryset.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.PENDING]).values_list("key", flat=True)
        )
        Delivery.objects.filter(key__in=keys).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
        )
        enqueue_keys(keys)
        self.message_user(request, f"{len(keys)} delivery(ies) queued again.", messages.SUCCESS)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_frequency", "wants_reminders", "next_digest_at", "last_digest_sent_at"]
    list_filter = ["digest_frequency", "wants_reminders"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["focus_areas"]
    readonly_fields = ["last_digest_sent_at", "updated"]


@admin.register(BouncedAddress)
class BouncedAddressAdmin(admin.ModelAdmin):
    list_display = ["address", "user", "source", "created"]
    list_filter = ["source", ("created", admin.DateFieldListFilter)]
    search_fields = ["address", "user__email"]
    raw_id_fields = ["user"]
    actions = ["lift"]

    @admin.action(description="Lift the bounce mark (the address works again)")
    def lift(self, request, queryset):
        count = sum(clear_bounce(address=address) for address in queryset.values_list("address", flat=True))
        self.message_user(request, f"{count} bounce mark(s) lifted.", messages.SUCCESS)


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["key", "recipients", "created"]
    search_fields = ["key"]
    readonly_fields = ["key", "recipients", "created"]
