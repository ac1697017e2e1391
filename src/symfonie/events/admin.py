from django.contrib import admin

from symfonie.events.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "tenant", "active")
    list_filter = ("tenant", "active")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "delivery_id",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
