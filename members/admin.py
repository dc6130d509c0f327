from django.contrib import admin

from liaison.admin import OfficeScopedAdmin

from .models import Affiliation, Contribution, Member, Sector, Term


@admin.register(Sector, Affiliation)
class LookupAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "start_year", "end_year", "is_current")


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0


@admin.register(Member)
class MemberAdmin(OfficeScopedAdmin):
    list_display = (
        "name",
        "member_no",
        "sex",
        "sector",
        "affiliation",
        "term",
        "mobile",
        "employer",
        "status",
        "office",
    )
    list_select_related = ("sector", "affiliation", "term", "office")
    list_filter = ("sector", "affiliation", "term", "status")
    search_fields = ("name", "mobile", "office_phone", "employer", "member_no")
    inlines = [ContributionInline]


@admin.register(Contribution)
class ContributionAdmin(OfficeScopedAdmin):
    office_field = "member__office"
    list_display = ("year", "kind", "title", "member", "amount")
    list_select_related = ("member",)
    list_filter = ("kind", "year")
    search_fields = ("title", "member__name")
