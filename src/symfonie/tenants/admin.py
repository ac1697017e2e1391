from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from symfonie.tenants.models import ApiToken, AuditRecord, Membership, SlaPolicy, Tenant, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_region")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Naam", {"fields": ("first_name", "last_name")}),
        ("Rechten", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "tenant",
        "name",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "backoffice_minutes",
    )
    list_filter = ("tenant",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "tenant", "user", "created_at", "last_used_at", "revoked")
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "tenant", "actor", "action", "subject_type", "subject_id", "via")
    list_filter = ("tenant", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
