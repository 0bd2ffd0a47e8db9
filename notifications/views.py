from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from coalitions.models import Profile
from coalitions.permissions import partnership_admin_required
from coalitions.timezones import effective_time_zone

from . import selectors, services, tokens
from .compose import digest_context
from .digests import build_digests, digest_users
from .forms import FailedDeliveryFilter, PreferenceForm, UnsubscribeChangeForm
from .mail import render_email
from .message import Message
from .models import Delivery, Preference
from .timefmt import format_local


@login_required
def preferences(request):
    preference = services.preference_for(request.user)
    profile = Profile.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.update_preferences(by=request.user, **form.cleaned_data)
            messages.success(request, "Your email preferences are saved.")
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "digest_frequency": preference.digest_frequency,
                "focus_areas": list(preference.focus_areas.all()),
                "wants_reminders": preference.wants_reminders,
                "reminder_leads": preference.reminder_leads,
                "time_zone": profile.time_zone if profile else "",
            }
        )
    context = {
        "form": form,
        "preference": preference,
        "zone": effective_time_zone(request.user),
        "next_digest": format_local(preference.next_digest_at, effective_time_zone(request.user))
        if preference.wants_digest and preference.next_digest_at
        else "",
    }
    return render(request, "notifications/preferences.html", context)


def _token_target(request, token):
    """(user, kind) for a valid token; a 400 page for a forged or altered one, or one about a kind of
    email we no longer send; 404 for a gone user."""
    try:
        data = tokens.read_unsubscribe_token(token)
    except tokens.RetiredKind:
        return render(request, "notifications/unsubscribe_invalid.html", {"retired": True}, status=400)
    except tokens.InvalidToken:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user = get_user_model().objects.filter(pk=data.user_id).first()
    if user is None:
        raise Http404("No such member")
    return user, data.kind


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie and no token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirm button (link scanners follow GETs); POST turns the kind off at once."""
    target = _token_target(request, token)
    if isinstance(target, HttpResponse):
        return target
    user, kind = target
    if request.method == "POST":
        result = services.unsubscribe(token=token)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("You are unsubscribed.\n", content_type="text/plain; charset=utf-8")
        done = reverse("notifications:unsubscribe_done", args=[token])
        return redirect(f"{done}?was={result.previous}" if result.kind == tokens.DIGEST else done)
    context = {"token": token, "kind": kind, "kind_label": tokens.KIND_LABELS[kind], "email": user.email}
    context.update(selectors.subscription_state(user, kind))
    return render(request, "notifications/unsubscribe.html", context)


def unsubscribe_done(request, token):
    """What was turned off, with an undo button and, for the digest, "monthly instead"."""
    target = _token_target(request, token)
    if isinstance(target, HttpResponse):
        return target
    user, kind = target
    was = request.GET.get("was", "")
    context = {
        "token": token,
        "kind": kind,
        "kind_label": tokens.KIND_LABELS[kind],
        "email": user.email,
        "previous": was if was in {Preference.Frequency.WEEKLY, Preference.Frequency.MONTHLY} else "",
    }
    context.update(selectors.subscription_state(user, kind))
    return render(request, "notifications/unsubscribe_done.html", context)


@require_POST
def unsubscribe_change(request, token):
    target = _token_target(request, token)
    if isinstance(target, HttpResponse):
        return target
    _, kind = target
    form = UnsubscribeChangeForm(request.POST)
    if not form.is_valid() or (form.cleaned_data["action"] == "monthly" and kind != tokens.DIGEST):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if form.cleaned_data["action"] == "monthly":
        services.resubscribe(token=token, frequency=Preference.Frequency.MONTHLY)
        messages.success(request, "You will get the digest once a month, on the 1st.")
    else:
        services.resubscribe(token=token, frequency=form.cleaned_data.get("previous") or None)
        messages.success(request, f"Undone: you will get {tokens.KIND_LABELS[kind]} again.")
    return redirect("notifications:unsubscribe_done", token=token)


staff_only = partnership_admin_required("Only partnership admins can see this page.")


@login_required
@staff_only
def failed_deliveries(request):
    """Partnership admins: emails that could not be delivered, and the addresses that bounce."""
    form = FailedDeliveryFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.undelivered(kind=filters.get("kind", ""), status=filters.get("status", ""))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        **selectors.bounced_addresses(),
        "query": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page" and v),
    }
    return render(request, "notifications/failed_deliveries.html", context)


# The preview frames the email's HTML as a mail client shows it, and email styles are inline
# attributes; a srcdoc frame lives under this page's policy, so this one staff page allows them
# (attributes only: no <style>, and the sandboxed frame runs no script).
EMAIL_STYLE_ATTRIBUTES = {"style-src-attr": ["'unsafe-inline'"]}


@csp_update(EMAIL_STYLE_ATTRIBUTES)
@csp_update(EMAIL_STYLE_ATTRIBUTES, REPORT_ONLY=True)
@login_required
@staff_only
def preview_digest(request, user_id):
    """Partnership admins: the digest this member would get if it went out now."""
    member = get_object_or_404(get_user_model(), pk=user_id)
    now = timezone.now()
    user = digest_users([member.pk]).get()
    digest = build_digests([user], now=now).get(user.pk)
    preference = getattr(user, "email_preference", None)
    context = {"member": user, "digest": digest, "preference": preference, "zone": effective_time_zone(user)}
    if preference and preference.next_digest_at:
        context["next_digest"] = format_local(preference.next_digest_at, context["zone"])
    if digest is not None and not digest.is_empty:
        email = render_email(
            delivery=Delivery(user=user, kind=Delivery.Kind.DIGEST, key="preview"),
            message=Message(template="emails/digest", context=digest_context(digest), unsubscribe_kind=tokens.DIGEST),
            to_address=user.email,
        )
        context.update(
            subject=email.subject,
            text=email.body,
            html=email.alternatives[0][0],
        )
    if digest is not None:
        context["since"] = format_local(digest.since, context["zone"])
    return render(request, "notifications/preview_digest.html", context)
