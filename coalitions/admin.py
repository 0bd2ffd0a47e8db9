"""The Django admin: partnership admins (staff) can do here everything the portal's pages offer.

Writes with rules or side effects go through ``coalitions.services`` exactly as the pages do: approving a
join request makes the membership and emails the person, an invitation added here is emailed, removing
members never leaves a coalition without an admin.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db import models

from . import services
from .forms import CoalitionForm, TimeZoneField
from .models import Coalition, Invitation, JoinRequest, Membership, Profile
from .services import MembershipError

User = get_user_model()

LAST_ADMIN = "{coalition} needs at least one admin. Make someone else an admin first."


def _act_on_each(
    modeladmin: admin.ModelAdmin,
    request,
    rows: Iterable[Any],
    act: Callable[[Any], object],
    *,
    name: Callable[[Any], str],
    done: str,
) -> None:
    """Run a service on each selected row: refusals become error messages, the rest one success message."""
    count = 0
    for row in rows:
        try:
            act(row)
            count += 1
        except MembershipError as exc:
            modeladmin.message_user(request, f"{name(row)}: {exc}", messages.ERROR)
    if count:
        modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)


# --- Memberships, wherever they are edited ----------------------------------------------------------


def _coalitions_left_without_admin(changes: list[tuple[Membership | None, int | None, bool]]) -> list[Coalition]:
    """Coalitions that would have no admin after the changes.

    Each change is (the row as saved now or None, its coalition id afterwards or None if deleted,
    whether it is an admin afterwards).
    """
    losing: dict[int, set[int]] = defaultdict(set)
    gaining: set[int] = set()
    for original, coalition_id, admin_after in changes:
        if admin_after and coalition_id:
            gaining.add(coalition_id)
        if original is not None and original.is_admin and not (admin_after and coalition_id == original.coalition_id):
            losing[original.coalition_id].add(original.pk)
    touched = {pk for pks in losing.values() for pk in pks}
    left = []
    for coalition_id in losing:
        if coalition_id in gaining:
            continue
        if not Membership.objects.admins().filter(coalition_id=coalition_id).exclude(pk__in=touched).exists():
            left.append(Coalition.objects.get(pk=coalition_id))
    return left


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    """Refuses to save a coalition's (or a person's) memberships if a coalition would lose its last admin."""

    def clean(self):
        super().clean()
        forms_with_data = [f for f in self.forms if getattr(f, "cleaned_data", None)]
        originals = Membership.objects.in_bulk([f.instance.pk for f in forms_with_data if f.instance.pk])
        changes = []
        for form in forms_with_data:
            deleted = self.can_delete and self._should_delete_form(form)
            changes.append(
                (
                    originals.get(form.instance.pk),
                    None if deleted else form.instance.coalition_id,
                    not deleted and form.cleaned_data.get("role") == Membership.Role.ADMIN,
                )
            )
        errors = [LAST_ADMIN.format(coalition=c.name) for c in _coalitions_left_without_admin(changes)]
        if errors:
            raise ValidationError(errors)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined"]


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "coalition", "role", "joined"]

    def clean(self):
        cleaned = super().clean()
        original = Membership.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        coalition = cleaned.get("coalition")
        change = (original, coalition.pk if coalition else None, cleaned.get("role") == Membership.Role.ADMIN)
        for left in _coalitions_left_without_admin([change]):
            raise ValidationError(LAST_ADMIN.format(coalition=left.name))
        return cleaned


class TimeZoneChoiceMixin:
    """Time zones are chosen from the IANA list, as on the portal's forms, never typed freehand."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            blank_label = "Coalition default" if db_field.blank else None
            return TimeZoneField(required=not db_field.blank, blank_label=blank_label, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# --- Coalitions ------------------------------------------------------------------------------------


class CoalitionAdminForm(CoalitionForm):
    """The portal's own checks: a real PNG/JPEG/GIF/WebP under the size cap, no slug that shadows a page."""

    class Meta(CoalitionForm.Meta):
        fields = [*CoalitionForm.Meta.fields, "created"]


@admin.register(Coalition)
class CoalitionAdmin(TimeZoneChoiceMixin, admin.ModelAdmin):
    form = CoalitionAdminForm
    list_display = ["name", "short_name", "region", "time_zone", "member_count", "created"]
    list_filter = ["region", "time_zone"]
    search_fields = ["name", "short_name", "region", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created"
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_counts()

    def save_model(self, request, obj, form, change):
        if "logo" in form.changed_data:
            # Undo the form's plain copy of the upload: the service names the file and removes the old one.
            obj.logo = Coalition.objects.get(pk=obj.pk).logo if change else ""
            services.set_coalition_logo(by=request.user, coalition=obj, logo=form.cleaned_data["logo"])
        super().save_model(request, obj, form, change)

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj):
        return obj.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "full_name", "coalition", "role", "joined"]
    list_filter = ["role", "coalition"]
    search_fields = ["user__email", "user__profile__full_name", "coalition__name", "coalition__short_name"]
    autocomplete_fields = ["user", "coalition"]
    list_select_related = ["user__profile", "coalition"]
    date_hierarchy = "joined"
    actions = ["remove_selected"]

    @admin.display(ordering="user__profile__full_name", description="name")
    def full_name(self, obj):
        return obj.user.profile.full_name

    def get_actions(self, request):
        # Bulk delete would skip the last-admin rule; "Remove selected members" goes through the service.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_admin and not Membership.objects.admins().of(obj.coalition).exclude(pk=obj.pk):
            return False  # the last admin: make someone else admin first
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.remove_member(by=request.user, membership=obj)

    @admin.action(description="Remove selected members from their coalition", permissions=["delete"])
    def remove_selected(self, request, queryset):
        _act_on_each(
            self,
            request,
            queryset.select_related("coalition", "user"),
            lambda membership: services.remove_member(by=request.user, membership=membership),
            name=lambda membership: str(membership.user),
            done="Removed {count} membership(s).",
        )


# --- Join requests ---------------------------------------------------------------------------------


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "coalition", "status", "created", "decided_at", "decided_by"]
    list_filter = ["status", "coalition"]
    search_fields = ["user__email", "user__profile__full_name", "coalition__name", "message"]
    autocomplete_fields = ["user", "coalition", "decided_by"]
    list_select_related = ["user", "coalition", "decided_by"]
    date_hierarchy = "created"
    # A decision is made with the actions, which create the membership and email the person;
    # editing the status by hand would do neither.
    readonly_fields = ["user", "coalition", "message", "status", "created", "decided_at", "decided_by"]
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False  # people ask for themselves; staff add a membership directly instead

    def _decide(self, request, queryset, service, verb):
        _act_on_each(
            self,
            request,
            queryset.select_related("coalition", "user"),
            lambda join_request: service(by=request.user, join_request=join_request),
            name=lambda join_request: f"{join_request.user} → {join_request.coalition}",
            done=verb + " {count} request(s); each person was told by email.",
        )

    @admin.action(description="Approve selected requests (creates the membership, emails the person)")
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, services.approve_join_request, "Approved")

    @admin.action(description="Reject selected requests (emails the person)")
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, services.reject_join_request, "Rejected")


# --- Invitations -----------------------------------------------------------------------------------


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["coalition", "email", "role"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("coalition") and cleaned.get("email"):
            try:
                services.check_invitable(coalition=cleaned["coalition"], email=cleaned["email"])
            except MembershipError as exc:
                raise ValidationError(str(exc)) from None
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "coalition", "role", "state", "invited_by", "created", "expires_at"]
    list_filter = [
        "role",
        "coalition",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "coalition__name", "invited_by__email"]
    autocomplete_fields = ["coalition", "invited_by", "accepted_by"]
    list_select_related = ["coalition", "invited_by"]
    date_hierarchy = "created"
    actions = ["revoke_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["coalition", "email", "role"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A sent invitation is a record: its link was mailed with these values. Revoke and invite again.
        if obj is None:
            return []
        return ["coalition", "email", "role", "invited_by", "created", "expires_at", "accepted_at", "accepted_by"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # Through the service, so the invitee is emailed their link after commit.
        invitation = services.invite_member(by=request.user, coalition=obj.coalition, email=obj.email, role=obj.role)
        obj.pk = invitation.pk
        obj.invited_by, obj.created, obj.expires_at = invitation.invited_by, invitation.created, invitation.expires_at

    @admin.display(description="state")
    def state(self, obj):
        return obj.state

    @admin.action(description="Revoke selected invitations (their links stop working)")
    def revoke_selected(self, request, queryset):
        _act_on_each(
            self,
            request,
            queryset.select_related("coalition"),
            lambda invitation: services.revoke_invitation(by=request.user, invitation=invitation),
            name=lambda invitation: invitation.email,
            done="Revoked {count} invitation(s).",
        )


# --- People ----------------------------------------------------------------------------------------


@admin.register(Profile)
class ProfileAdmin(TimeZoneChoiceMixin, admin.ModelAdmin):
    list_display = ["user", "full_name", "job_title", "time_zone"]
    list_filter = ["time_zone"]
    search_fields = ["user__email", "full_name", "job_title"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


class ProfileInline(TimeZoneChoiceMixin, admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["full_name", "job_title", "time_zone"]


class UserMembershipInline(MembershipInline):
    autocomplete_fields = ["coalition"]
    fields = ["coalition", "role", "joined"]


class PortalUserCreationForm(AdminUserCreationForm):
    """People sign in by email here: the admin asks for one, and makes up the username allauth needs."""

    email = forms.EmailField(label="Email address")

    class Meta(AdminUserCreationForm.Meta):
        fields = ("email",)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        )
        if taken:
            raise ValidationError("An account with this email address already exists.")
        return email

    def _post_clean(self):
        # Before the model validates: a username derived from the address, unique like allauth's own.
        if self.cleaned_data.get("email"):
            self.instance.email = self.cleaned_data["email"]
            get_adapter().populate_username(None, self.instance)
        super()._post_clean()


class UserAdmin(DjangoUserAdmin):
    """Users are found and shown by email and name; generated usernames mean nothing to anyone."""

    add_form = PortalUserCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    list_display = ["email", "full_name", "coalitions", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__coalition"]
    search_fields = ["email", "emailaddress__email", "profile__full_name", "profile__job_title", "username"]
    ordering = ["email"]
    list_select_related = ["profile"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__coalition")

    def get_inlines(self, request, obj):
        # On the add page the profile does not exist yet (saving the user makes it).
        return [ProfileInline, UserMembershipInline] if obj else []

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False  # searching email addresses joins one row per address

    @admin.display(ordering="profile__full_name", description="name")
    def full_name(self, obj):
        return obj.profile.full_name

    @admin.display(description="coalitions")
    def coalitions(self, obj):
        return ", ".join(f"{m.coalition.short_name}{' (admin)' if m.is_admin else ''}" for m in obj.memberships.all())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.email and not EmailAddress.objects.filter(user=obj, email__iexact=obj.email).exists():
            # allauth signs people in by their EmailAddress rows; an unverified one is confirmed at first login.
            EmailAddress.objects.filter(user=obj, primary=True).update(primary=False)
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=False)


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
