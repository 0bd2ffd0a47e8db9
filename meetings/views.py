"""Meeting pages. Each view declares who may open it (a decorator over ``coalitions.permissions``),
parses input, calls one queryset or service, and renders or redirects. The services check the
actor again, so the admin, a task or an API meets the same rules."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from coalitions import permissions
from coalitions.confirm import confirmation_page, is_confirmed
from coalitions.models import Coalition
from coalitions.timezones import effective_time_zone
from practices import selectors as practice_selectors
from practices.discovery import text as discovery_text
from practices.models import Practice
from practices.pagecache import anonymous_page
from practices.uploads import serve_upload

from . import recurrence, selectors, services
from .calendar import feed_ics, meeting_ics
from .forms import (
    AGENDA_MAX_ITEMS,
    AgendaFormSet,
    ArchiveFilterForm,
    MeetingDetailsForm,
    MeetingTimeForm,
    MinutesForm,
    RSVPForm,
    ScheduleMeetingForm,
    SeriesForm,
    rearrange_agenda,
    series_preview_dates,
)
from .models import RSVP, CalendarToken, Meeting, MeetingSeries

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# Who may open which page, declared once per view. Each goes below ``login_required``.
scheduler_required = permissions.user_passes(
    permissions.can_schedule_meetings, "Only partnership admins and coalition admins can schedule meetings."
)
# The meeting named by ``pk``, handed to the view as ``meeting``, for those who manage it.
meeting_manager_required = permissions.object_permission_required(
    Meeting.objects.select_related("host_coalition", "series"),
    test=lambda user, meeting: meeting.can_manage(user),
    reason=services.NOT_A_MANAGER,
    as_kwarg="meeting",
)
series_manager_required = permissions.object_permission_required(
    MeetingSeries,
    test=lambda user, series: series.can_manage(user),
    reason=services.NOT_A_SERIES_MANAGER,
    as_kwarg="series",
)
calendar_member_required = permissions.member_required(services.NOT_A_MEMBER_CALENDAR)
inviter_required = permissions.partnership_admin_required(services.NOT_AN_INVITER)


def _add_service_error(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: field errors where it names fields the form has."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _submit(request, form, call, done):
    """Once the form is valid, call the service; a refusal lands on the form (None is returned),
    success is announced with ``done`` (a message, or a function of the result)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ValidationError as exc:
        _add_service_error(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return result


# -- members' pages ------------------------------------------------------------------------------
@anonymous_page(also=selectors.pages_generation)
def meeting_list(request):
    user = request.user
    context = {
        "upcoming": _upcoming_section(request),
        "can_schedule": permissions.can_schedule_meetings(user),
        "is_member": permissions.is_member(user),
    }
    if context["can_schedule"]:
        context.update(selectors.organizer_lists(user))
    return render(request, "meetings/list.html", context)


# The upcoming meetings' months, rows and pages read the same for every signed-in reader in one time zone
# who gave the same answers to the page's meetings (most gave none). So which meetings a page holds is kept
# in the shared cache for every reader, and the rendered part for readers alike, both under the meeting
# pages' generation (renewed by any meeting, agenda item or answer saved) and the listed practices' (a
# coalition renamed): the next such reader asks the database only for their own answers to those meetings.
UPCOMING_KEY = "meetings:upcoming"
KEPT_TTL = 60


def _upcoming_section(request) -> str:
    user = request.user

    def upcoming_page():  # built only when needed: its four counting subqueries cost more than the reading
        return _page(request, Meeting.objects.upcoming().for_listing(user))

    shared = practice_selectors.shared_cache()
    if shared is None or not user.is_authenticated:  # visitors get the whole page kept instead
        return _render_upcoming(request, upcoming_page())
    generations = f"{selectors.pages_generation(shared)}:{practice_selectors.listed_generation(shared)}"
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    ids_key = f"{UPCOMING_KEY}:ids:{generations}:{path}"
    ids, page = shared.get(ids_key), None
    if ids is None:
        page = upcoming_page()  # its rows carry the reader's answers
        ids = [meeting.pk for meeting in page]
        shared.set(ids_key, ids, KEPT_TTL)
        answers = {meeting.pk: meeting.my_answer for meeting in page}
    else:
        answers = dict(RSVP.objects.filter(user=user, meeting_id__in=ids).values_list("meeting_id", "answer"))
    digest = hashlib.sha256(repr([(pk, answers.get(pk)) for pk in ids]).encode()).hexdigest()
    key = f"{UPCOMING_KEY}:section:{generations}:{timezone.get_current_timezone_name()}:{path}:{digest}"
    section = shared.get(key)
    if section is None:
        section = _render_upcoming(request, page or upcoming_page())
        shared.set(key, section, KEPT_TTL)
    return section


def _render_upcoming(request, page) -> str:
    return mark_safe(render_to_string("meetings/includes/_upcoming.html", {"page": page}, request))  # noqa: S308


def meeting_archive(request):
    form = ArchiveFilterForm(request.GET or None)
    meetings = Meeting.objects.past().not_cancelled()
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("q"):
            meetings = meetings.search(data["q"])
        if data.get("area"):
            meetings = meetings.in_focus_area(data["area"].slug)
    return render(
        request,
        "meetings/archive.html",
        {"form": form, "page": _page(request, meetings.for_listing(request.user))},
    )


# What a link's ?rsvp= asks, said at the top of the page: "Confirm: you will attend …".
CONFIRM_PHRASES = {
    RSVP.Answer.YES: "you will attend",
    RSVP.Answer.MAYBE: "you might attend",
    RSVP.Answer.NO: "you will not attend",
}


@anonymous_page(also=selectors.pages_generation)
def meeting_detail(request, pk):
    meeting = _meeting_for_page(request, pk)
    user = request.user
    is_member = permissions.is_member(user)
    my_rsvp = next((r for r in meeting.rsvps.all() if r.user_id == user.pk), None) if is_member else None

    # ?rsvp=yes from a reminder email: ask for one click to confirm; a GET never changes anything.
    confirm_answer = None
    asked = request.GET.get("rsvp")
    if asked is not None:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if asked not in RSVP.Answer.values:
            messages.warning(request, "That RSVP link was not understood; choose your answer below.")
        elif not is_member:
            messages.error(request, "Only members of a coalition can RSVP.")
        elif not meeting.accepts_rsvps():
            messages.error(request, "This meeting no longer takes RSVPs.")
        else:
            confirm_answer = RSVP.Answer(asked)

    context = {
        "meeting": meeting,
        "agenda": [(item, item.practice_visible_to(user)) for item in meeting.agenda_items.all()],
        "is_member": is_member,
        "can_manage": meeting.can_manage(user),
        "my_rsvp": my_rsvp,
        "confirm_answer": confirm_answer,
        "confirm_phrase": CONFIRM_PHRASES.get(confirm_answer, ""),
        "answers": RSVP.Answer.choices,
        "counts": meeting.rsvp_counts(),
        "attendees": meeting.attendees_by_coalition() if is_member else [],
        "is_invited": is_member and meeting.is_invitee(user),
        # Who was invited, and what each answered: for partnership admins, who invite.
        "invitees": meeting.invitee_rows() if permissions.is_partnership_admin(user) else None,
    }
    return render(request, "meetings/detail.html", context)


# A meeting as its page shows it (agenda, answers with names, files, invitees) is the same for every
# signed-in reader: what each may see of it and do with it is decided per request from what it holds. So
# the loaded meeting is kept in the shared cache under the meeting pages' generation (any meeting, agenda
# item, answer, file or invitation saved) and the listed practices' (a practice on the agenda, a person
# or coalition renamed); visitors are served the whole page from the cache instead.
PAGE_MEETING_KEY = "meetings:page-meeting"


def _meeting_for_page(request, pk: int) -> Meeting:
    shared = practice_selectors.shared_cache()
    if shared is None or not request.user.is_authenticated:
        return get_object_or_404(Meeting.objects.with_page_details(), pk=pk)
    generations = f"{selectors.pages_generation(shared)}:{practice_selectors.listed_generation(shared)}"
    key = f"{PAGE_MEETING_KEY}:{generations}:{pk}"
    return shared.get_or_set(key, lambda: get_object_or_404(Meeting.objects.with_page_details(), pk=pk), KEPT_TTL)


@require_POST
@login_required
def meeting_rsvp(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RSVPForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Answer yes, maybe or no.")
        return redirect(meeting)
    try:
        services.rsvp(by=request.user, meeting=meeting, answer=form.cleaned_data["answer"])
    except PermissionDenied as exc:  # someone in no coalition: told why, on the meeting's page
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = RSVP.Answer(form.cleaned_data["answer"]).label.lower()
        messages.success(request, f"Thanks — your answer is “{label}”. You can change it until the meeting starts.")
    return redirect(f"{meeting.get_absolute_url()}#rsvp")


def _calendar_response(body: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def meeting_ics_download(request, pk):
    meeting = get_object_or_404(Meeting.objects.with_calendar_details(), pk=pk)
    body = meeting_ics(meeting, include_private=permissions.is_member(request.user))
    return _calendar_response(body, filename=f"meeting-{meeting.pk}.ics")


def calendar_feed(request, token):
    """The member's subscription: no session, the secret token is the key. Wrong token → 404."""
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active or not permissions.is_member(found.user):
        raise Http404("No calendar at this address.")
    meetings = Meeting.objects.with_calendar_details().in_calendar_feed()
    body = feed_ics(meetings, name="Smart Regions Exchange meetings", time_zone=effective_time_zone(found.user))
    return _calendar_response(body)


@login_required
@calendar_member_required
def my_calendar(request):
    token = services.get_calendar_token(by=request.user)
    feed_url = request.build_absolute_uri(reverse("meetings:feed", args=[token.token]))
    return render(
        request,
        "meetings/calendar.html",
        {"feed_url": feed_url, "webcal_url": "webcal://" + feed_url.split("://", 1)[1], "token": token},
    )


@login_required
@calendar_member_required
def reset_calendar(request):
    if not is_confirmed(request):
        return confirmation_page(
            request,
            question="Reset your calendar address?",
            explanation="The old address stops working at once: calendars subscribed with it stop updating, "
            "and you subscribe again with the new one. Do it if the address leaked.",
            button="Reset my calendar address",
            back_url=reverse("meetings:calendar"),
            back_label="Keep the address",
        )
    services.reset_calendar_token(by=request.user)
    messages.success(request, "Your calendar address was reset. Subscribe again with the new address below.")
    return redirect("meetings:calendar")


@login_required
def meeting_file(request, pk, file_pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    if not (permissions.is_member(request.user) or meeting.can_manage(request.user)):
        raise PermissionDenied("Meeting files are shared with coalition members.")
    stored = get_object_or_404(meeting.files, pk=file_pk)
    # Meeting files are for members: never in a shared cache.
    return serve_upload(stored.file, filename=stored.original_name, content_type=stored.content_type, is_public=False)


@login_required
@inviter_required
def member_search(request):
    """The invitee picker's search as you type: ``?q=…`` (a name or an address, two letters at least)
    → ``{"results": [{"email", "name", "coalitions"}]}``, at most twenty."""
    # Control characters gone (PostgreSQL refuses a NUL in a query), one line, at most 100 characters.
    found = selectors.find_members(discovery_text.clean(request.GET.get("q", ""), 100))
    return JsonResponse({"results": found})


# -- series --------------------------------------------------------------------------------------
def series_detail(request, pk):
    series = get_object_or_404(MeetingSeries.objects.select_related("host_coalition"), pk=pk)
    upcoming = series.meetings.upcoming().for_listing(request.user)
    return render(
        request,
        "meetings/series_detail.html",
        {"series": series, "page": _page(request, upcoming), "can_manage": series.can_manage(request.user)},
    )


def _series_form_page(request, form, series):
    """The series form; "Preview" (the button, or the script fetching ``series_preview``) shows the
    next six dates the rule as filled in gives, from ``recurrence``, without saving anything."""
    viewer_zone = effective_time_zone(request.user)
    if request.method == "POST":
        preview = form.preview(viewer_zone=viewer_zone)
    elif series is not None:
        preview = {
            "dates": series_preview_dates(
                rule=recurrence.Rule.of(series),
                wall_time=series.local_start_time,
                duration_minutes=series.duration_minutes,
                tz_name=series.time_zone,
                viewer_zone=viewer_zone,
            )
        }
    else:
        preview = {}
    if series is not None:
        # Validating edited the instance in place; the page names the stored series.
        series.refresh_from_db()
    return render(request, "meetings/series_form.html", {"form": form, "series": series, "preview": preview})


def _previewing(request) -> bool:
    return request.method == "POST" and request.POST.get("action") == "preview"


@login_required
@scheduler_required
def series_create(request):
    form = SeriesForm(request.POST or None, user=request.user)
    if _previewing(request):
        return _series_form_page(request, form, None)
    series = _submit(
        request,
        form,
        lambda data: services.create_series(by=request.user, data=data),
        lambda created: f"“{created.title}” is scheduled for the next twelve months.",
    )
    if series is not None:
        return redirect(series)
    return _series_form_page(request, form, None)


@login_required
@series_manager_required
def series_edit(request, series):
    form = SeriesForm(request.POST or None, instance=series, user=request.user)
    if _previewing(request):
        return _series_form_page(request, form, series)
    changed = _submit(
        request,
        form,
        lambda data: services.update_series(
            by=request.user,
            series=series,
            data={name: data[name] for name in services.SERIES_FIELDS},
            reset_customized=data.get("reset_customized", False),
        ),
        lambda count: f"Series saved; {count} upcoming meeting{'s' if count != 1 else ''} updated.",
    )
    if changed is not None:
        return redirect(series)
    return _series_form_page(request, form, series)


@login_required
@scheduler_required
def series_preview(request):
    """The series form's preview as an HTML fragment, for its script: the form's fields as ``?…``."""
    form = SeriesForm(request.GET, user=request.user)
    preview = form.preview(viewer_zone=effective_time_zone(request.user))
    return render(request, "meetings/includes/_series_preview.html", {"preview": preview})


# -- one meeting ---------------------------------------------------------------------------------
@login_required
@scheduler_required
def meeting_schedule(request):
    form = ScheduleMeetingForm(request.POST or None, user=request.user)
    meeting = _submit(
        request,
        form,
        lambda data: services.schedule_meeting(by=request.user, data=data),
        "Meeting scheduled. Add an agenda when you are ready.",
    )
    if meeting is not None:
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "heading": "Schedule a meeting"})


@login_required
@meeting_manager_required
def meeting_edit(request, meeting):
    initial = {
        "title": meeting.title,
        "description": meeting.description,
        "video_link": meeting.video_link,
        "host_coalition": meeting.host_coalition,
    }
    if permissions.is_partnership_admin(request.user):
        initial["invitees"] = selectors.invitee_users(meeting)
    form = MeetingDetailsForm(request.POST or None, initial=initial, user=request.user)
    if _submit(
        request,
        form,
        lambda data: services.update_meeting(by=request.user, meeting=meeting, data=data),
        "Details saved.",
    ):
        return redirect(meeting)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "meeting": meeting, "heading": "Edit meeting details"}
    )


@login_required
@meeting_manager_required
def meeting_move(request, meeting):
    form = MeetingTimeForm(request.POST or None, initial=MeetingTimeForm.initial_for(meeting))
    moved = _submit(
        request,
        form,
        lambda data: services.move_meeting(
            by=request.user, meeting=meeting, start=data["start"], end=data["end"], time_zone=data["time_zone"]
        ),
        "Meeting moved. Calendars that subscribed to or imported it will update.",
    )
    if moved:
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting, "heading": "Move meeting"})


CONFIRMATIONS = {
    "cancel": (
        services.cancel_meeting,
        "Cancel this meeting?",
        "Members see it as cancelled, and their calendars remove it.",
        "Cancel the meeting",
        "Meeting cancelled.",
    ),
    "reinstate": (
        services.reinstate_meeting,
        "Reinstate this meeting?",
        "It goes back on members' calendars at its scheduled time.",
        "Reinstate the meeting",
        "Meeting reinstated.",
    ),
}


def _confirm(request, meeting, action: str):
    service, heading, explanation, button, done = CONFIRMATIONS[action]
    if is_confirmed(request):
        try:
            service(by=request.user, meeting=meeting)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
        return redirect(meeting)
    return render(
        request,
        "meetings/confirm.html",
        {"meeting": meeting, "heading": heading, "explanation": explanation, "button": button, "action": action},
    )


@login_required
@meeting_manager_required
def meeting_cancel(request, meeting):
    return _confirm(request, meeting, "cancel")


@login_required
@meeting_manager_required
def meeting_reinstate(request, meeting):
    return _confirm(request, meeting, "reinstate")


def _chosen_practices(post) -> list[int]:
    chosen = []
    for key, value in post.items():
        if key.startswith("agenda-") and key.endswith("-practice") and value.isdigit():
            chosen.append(int(value))
    return chosen[:AGENDA_MAX_ITEMS]


@login_required
@meeting_manager_required
def meeting_agenda(request, meeting):
    """The agenda editor. With JavaScript, rows are added, removed, dragged or moved and practices
    searched in place, and one "Save" posts it all. Without it, each of those is a submit button
    ("Find", "Add an item", "Move up/down") that re-shows the rows as typed, rearranged, with nothing
    saved; the "Remove" box takes effect on saving."""
    post = request.POST if request.method == "POST" else None
    action = post.get("action", "save") if post else ""
    find = " ".join(post.get("find", "").split())[:200] if post else ""
    choices = selectors.agenda_choices(meeting, user=request.user, find=find, chosen=_chosen_practices(post or {}))
    initial = [
        {
            "title": item.title,
            "duration_minutes": item.duration_minutes,
            "presenting_coalition": item.presenting_coalition_id,
            "practice": item.practice_id,
            "notes": item.notes,
            "ORDER": index,
        }
        for index, item in enumerate(meeting.agenda_items.all(), start=1)
    ]
    context = {"meeting": meeting, "find": find}
    if post and (action in ("find", "add") or "move" in post):
        data, context["rearranged"] = rearrange_agenda(
            post, prefix="agenda", add=action == "add", move=post.get("move", "")
        )
        context["formset"] = AgendaFormSet(data, initial=initial, form_kwargs=choices, prefix="agenda")
        if action == "find":
            context.update(finding=True, found=len(choices["practice_choices"]))
        return render(request, "meetings/agenda_form.html", context)
    formset = AgendaFormSet(post, initial=initial, form_kwargs=choices, prefix="agenda")
    if post and formset.is_valid():
        rows = [form.cleaned_data for form in formset.ordered_forms]
        coalitions = Coalition.objects.in_bulk({r["presenting_coalition"] for r in rows} - {None})
        practices = Practice.objects.in_bulk({r["practice"] for r in rows} - {None})
        items = [
            {
                **row,
                "presenting_coalition": coalitions.get(row["presenting_coalition"]),
                "practice": practices.get(row["practice"]),
            }
            for row in rows
        ]
        try:
            services.set_agenda(by=request.user, meeting=meeting, items=items)
        except ValidationError as exc:  # a practice unpublished while the page was open
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Agenda saved ({len(items)} item{'s' if len(items) != 1 else ''}).")
            return redirect(meeting)
    context["formset"] = formset
    return render(request, "meetings/agenda_form.html", context)


@login_required
@meeting_manager_required
def agenda_practices(request, meeting):
    """The agenda picker's search as you type: ``?q=…`` → ``{"results": [{"id", "title", "coalition"}]}``."""
    found = selectors.agenda_practices(" ".join(request.GET.get("q", "").split())[:200], user=request.user)
    return JsonResponse(
        {"results": [{"id": p.pk, "title": p.title, "coalition": p.coalition.short_name} for p in found]}
    )


@login_required
@meeting_manager_required
def meeting_minutes(request, meeting):
    initial = {"minutes": meeting.minutes, "recording_link": meeting.recording_link}
    form = MinutesForm(request.POST or None, request.FILES or None, initial=initial, meeting=meeting)
    saved = _submit(
        request,
        form,
        lambda data: services.post_minutes(
            by=request.user,
            meeting=meeting,
            minutes=data["minutes"],
            recording_link=data["recording_link"],
            new_files=data["files"],
            remove_file_ids=[f.pk for f in data.get("remove_files", [])],
        ),
        "Minutes, recording and files saved.",
    )
    if saved:
        return redirect(meeting)
    return render(request, "meetings/minutes_form.html", {"meeting": meeting, "form": form})
