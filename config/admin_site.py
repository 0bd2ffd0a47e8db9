"""The Django admin, signed into through the portal's own login."""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class PortalAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        """The portal's sign-in page, with its throttles and verified addresses, instead of the
        admin's own form, which checked passwords without any limit on the most privileged accounts.
        Credentials posted here are ignored; allauth checks ``next`` before following it."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            # The admin would send a signed-in member to a login page, and the login page back to
            # the admin: say no instead of looping.
            raise PermissionDenied("The Django admin is for partnership admins.")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
