from django.contrib import admin

from symfonie.workspace.models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "shortcut", "tenant", "active")
    list_filter = ("tenant", "active")
    search_fields = ("title", "shortcut", "body")
