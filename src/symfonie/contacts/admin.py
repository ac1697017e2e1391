from django.contrib import admin

from symfonie.contacts.models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "tenant", "active")
    list_filter = ("tenant", "active")
    prepopulated_fields = {"slug": ("name",)}
