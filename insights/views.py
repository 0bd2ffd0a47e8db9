"""The insights page and its CSV downloads: parse the filters, read the figures, render."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coalitions import permissions
from practices.filters import filter_options

from . import exports, figures
from .forms import InsightsFilterForm

REASON = "The partnership's insights are for members of its coalitions."
SUMMARY_REASON = "The funders' summary is for the partnership's admins."
SUMMARY_LIST = 5


def _scoped(request):
    options = filter_options()
    form = InsightsFilterForm(request.GET or None, options=options, today=timezone.now().date())
    scope = form.scope()
    return form, scope, figures.figures(request.user, scope, options)


@login_required
@permissions.member_required(REASON)
def insights(request):
    form, scope, data = _scoped(request)
    query = request.GET.urlencode()
    reuse = data["reuse"]
    charts = _chart_specs(data)
    context = {
        "form": form,
        "scope": scope,
        "first_month": _month_label(scope.start),
        "last_month": _month_label(scope.end),
        "data": data,
        "query": query,
        "chart_practices": charts["practices-by-month"],
        "chart_adoptions": charts["adoptions-by-month"],
        "chart_funding": charts["funding"],
        "chart_most_adopted": charts["most-adopted"],
        "chart_first_adoption": charts["first-adoption"],
        "chart_attendance": charts["attendance"],
        "chart_viewed": charts["viewed-not-adopted"],
        "attendance_rows": [
            {
                "day": m["day"],
                "title": m["title"],
                "cells": [s["data"][i] for s in data["attendance"]["series"]],
                "total": data["attendance"]["totals"][i],
            }
            for i, m in enumerate(data["attendance"]["meetings"])
        ],
        "practice_rows": _month_rows(data["practices_by_month"]),
        "adoption_rows": _month_rows(data["adoptions_by_month"]),
        "coalition_name": dict(form.fields["coalition"].choices).get(scope.coalition) if scope.coalition else "",
        "reuse": reuse,
        "may_print_summary": permissions.is_partnership_admin(request.user),
    }
    return render(request, "insights/insights.html", context)


@login_required
@permissions.partnership_admin_required(SUMMARY_REASON)
def funders_summary(request):
    """One printable page of the key figures and charts, for funders (the browser prints it, or saves a PDF)."""
    form, scope, data = _scoped(request)
    charts = _chart_specs(data)
    reuse = data["reuse"]
    cross = sum(n for adopter, sharer, n in reuse["pairs"] if adopter != sharer)
    context = {
        "form": form,
        "scope": scope,
        "first_month": _month_label(scope.start),
        "last_month": _month_label(scope.end),
        "coalition_name": dict(form.fields["coalition"].choices).get(scope.coalition) if scope.coalition else "",
        "data": data,
        "query": request.GET.urlencode(),
        "key": {
            "practices": data["practices_by_month"]["total"],
            "adoptions": data["adoptions_by_month"]["total"],
            "cross": cross,
            "adopting_coalitions": len({adopter for adopter, _, _ in reuse["pairs"]}),
            "median_days": data["first_adoption"]["median_days"],
            "attending": data["attendance"]["total"],
        },
        "programs": sorted(
            (r for r in data["funding"]["rows"] if r["practices"] or r["adoptions"]),
            key=lambda r: (-r["adoptions"], -r["practices"], r["name"]),
        )[:SUMMARY_LIST],
        "most_adopted": data["most_adopted"][:SUMMARY_LIST],
        "chart_practices": charts["practices-by-month"],
        "chart_adoptions": charts["adoptions-by-month"],
    }
    return render(request, "insights/summary.html", context)


@login_required
@permissions.member_required(REASON)
def insights_csv(request, chart):
    if chart not in exports.CHARTS:
        raise Http404("No such chart.")
    form, scope, data = _scoped(request)
    header, rows = exports.tables(data, settings.SITE_URL)[chart]
    response = HttpResponse(exports.to_csv(header, rows), content_type="text/csv; charset=utf-8")
    filename = f"insights-{chart}-{scope.start:%Y-%m}-to-{scope.end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _short(label: str, limit: int = 30) -> str:
    # Axis labels longer than this squeeze the bars on a phone; the table beside has the whole name.
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _month_label(day) -> str:
    return day.strftime("%b %Y")


def _month_rows(figure: dict) -> list[dict]:
    """A per-month figure as the rows of its "show data" table."""
    return [
        {
            "iso": month.strftime("%Y-%m"),
            "label": _month_label(month),
            "cells": [s["data"][i] for s in figure["series"]],
            "total": figure["totals"][i],
        }
        for i, month in enumerate(figure["months"])
    ]


def _chart_specs(data: dict) -> dict:
    """What static/js/insights.js draws with Chart.js, per chart (read from ``json_script``)."""
    by_month, adoptions = data["practices_by_month"], data["adoptions_by_month"]
    funding = data["funding"]["rows"]
    most = data["most_adopted"]
    first = [r for r in data["first_adoption"]["rows"] if r["median_days"] is not None]
    attendance = data["attendance"]
    viewed = data["viewed_not_adopted"]
    return {
        "viewed-not-adopted": {
            "type": "bar",
            "horizontal": True,
            "title": "Read often, never adopted",
            "x": "Page views",
            "y": "Practice",
            "labels": [_short(r["title"]) for r in viewed],
            "datasets": [{"label": "Page views", "color": "#8a5300", "data": [r["views"] for r in viewed]}],
        },
        "attendance": {
            "type": "bar",
            "stacked": True,
            "title": "Members attending each meeting, by coalition",
            "x": "Meeting (date)",
            "y": "Members who said yes",
            "labels": [f"{m['day'].day} {m['day']:%b %Y}" for m in attendance["meetings"]],
            "datasets": [{"label": s["label"], "color": s["color"], "data": s["data"]} for s in attendance["series"]],
        },
        "first-adoption": {
            "type": "bar",
            "horizontal": True,
            "title": "Median days from publication to first adoption",
            "x": "Days (median)",
            "y": "Focus area",
            "labels": [_short(r["label"]) for r in first],
            "datasets": [
                {
                    "label": "Median days to first adoption",
                    "color": [r["color"] for r in first],
                    "data": [r["median_days"] for r in first],
                }
            ],
        },
        "practices-by-month": {
            "type": "bar",
            "stacked": True,
            "title": "Practices shared per month, by focus area",
            "x": "Month published",
            "y": "Practices (one per focus area)",
            "labels": [_month_label(m) for m in by_month["months"]],
            "datasets": [{"label": s["label"], "color": s["color"], "data": s["data"]} for s in by_month["series"]],
        },
        "adoptions-by-month": {
            "type": "bar",
            "stacked": True,
            "title": "Adoptions per month they started",
            "x": "Month started",
            "y": "Adoptions",
            "labels": [_month_label(m) for m in adoptions["months"]],
            "datasets": [{"label": s["label"], "color": s["color"], "data": s["data"]} for s in adoptions["series"]],
        },
        "funding": {
            "type": "bar",
            "horizontal": True,
            "title": "Practices and adoptions by funding program",
            "x": "Number",
            "y": "Funding program",
            "labels": [_short(r["name"]) for r in funding],
            "datasets": [
                {"label": "Practices shared", "color": "#0b5cad", "data": [r["practices"] for r in funding]},
                {"label": "Adoptions", "color": "#11643f", "data": [r["adoptions"] for r in funding]},
            ],
        },
        "most-adopted": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "title": "Most-adopted practices",
            "x": "Adoptions",
            "y": "Practice",
            "labels": [_short(r["title"]) for r in most],
            "datasets": [
                {"label": "Confirmed", "color": "#11643f", "data": [r["confirmed"] for r in most]},
                {"label": "Not confirmed", "color": "#0b5cad", "data": [r["adoptions"] - r["confirmed"] for r in most]},
            ],
        },
    }
