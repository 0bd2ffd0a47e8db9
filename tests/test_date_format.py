"""One date format across the portal: "Tue 8 Dec 2026, 11:00 MST", in the viewer's zone with its
abbreviation, from one Python function (emails, calendar text) and one template filter (pages)."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from coalitions.timefmt import format_month, format_when, format_when_day
from tests.factories import CommentFactory, MembershipFactory, UserFactory

UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_the_example_from_the_issue():
    # 18:00 UTC on 8 December 2026 is 11:00 in Phoenix.
    assert format_when(at(2026, 12, 8, 18, 0), "America/Phoenix") == "Tue 8 Dec 2026, 11:00 MST"


@pytest.mark.parametrize(
    ("moment", "phoenix", "denver"),
    [
        (at(2027, 1, 12, 18, 0), "Tue 12 Jan 2027, 11:00 MST", "Tue 12 Jan 2027, 11:00 MST"),
        (at(2027, 7, 13, 17, 0), "Tue 13 Jul 2027, 10:00 MST", "Tue 13 Jul 2027, 11:00 MDT"),
    ],
)
def test_arizona_keeps_mst_all_year_while_denver_changes(moment, phoenix, denver):
    assert format_when(moment, "America/Phoenix") == phoenix
    assert format_when(moment, "America/Denver") == denver


def test_the_spring_forward_night_in_denver_skips_from_mst_to_mdt():
    # 14 March 2027: 02:00 MST becomes 03:00 MDT. One minute apart in UTC, an hour apart on the clock.
    before = at(2027, 3, 14, 8, 59)
    after = before + dt.timedelta(minutes=1)
    assert format_when(before, "America/Denver") == "Sun 14 Mar 2027, 01:59 MST"
    assert format_when(after, "America/Denver") == "Sun 14 Mar 2027, 03:00 MDT"
    # Phoenix does not change: the same instants read 01:59 and 02:00 MST.
    assert format_when(before, "America/Phoenix") == "Sun 14 Mar 2027, 01:59 MST"
    assert format_when(after, "America/Phoenix") == "Sun 14 Mar 2027, 02:00 MST"


def test_the_fall_back_night_in_denver_shows_0130_twice_told_apart_by_the_abbreviation():
    # 7 November 2027: 01:30 happens at 07:30 UTC (MDT) and again at 08:30 UTC (MST).
    assert format_when(at(2027, 11, 7, 7, 30), "America/Denver") == "Sun 7 Nov 2027, 01:30 MDT"
    assert format_when(at(2027, 11, 7, 8, 30), "America/Denver") == "Sun 7 Nov 2027, 01:30 MST"


def test_new_york_and_a_zone_without_letters():
    assert format_when(at(2026, 12, 8, 18, 0), "America/New_York") == "Tue 8 Dec 2026, 13:00 EST"
    assert format_when(at(2026, 12, 8, 18, 0), "America/Sao_Paulo") == "Tue 8 Dec 2026, 15:00 UTC-03"


def test_the_day_is_the_viewers_day_not_utcs():
    # 03:00 UTC on the 9th is still the evening of the 8th in Phoenix.
    assert format_when_day(at(2026, 12, 9, 3, 0), "America/Phoenix") == "Tue 8 Dec 2026"
    assert format_when_day(dt.date(2026, 12, 8)) == "Tue 8 Dec 2026"
    assert format_month(at(2027, 1, 1, 3, 0), "America/Phoenix") == "December 2026"


def test_without_a_zone_the_active_one_is_used():
    with timezone.override(zoneinfo.ZoneInfo("America/Phoenix")):
        assert format_when(at(2026, 12, 8, 18, 0)) == "Tue 8 Dec 2026, 11:00 MST"
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        assert format_when(at(2026, 12, 8, 18, 0)) == "Tue 8 Dec 2026, 12:00 CST"


def render(source: str, zone: str, **context) -> str:
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return Template("{% load when %}" + source).render(Context(context))


def test_the_filter_reads_the_active_zone_and_cuts_to_day_or_month():
    moment = at(2026, 12, 8, 18, 0)
    assert render("{{ t|when }}", "America/Phoenix", t=moment) == "Tue 8 Dec 2026, 11:00 MST"
    assert render("{{ t|when }}", "America/New_York", t=moment) == "Tue 8 Dec 2026, 13:00 EST"
    assert render('{{ t|when:"day" }}', "Asia/Tokyo", t=moment) == "Wed 9 Dec 2026"
    assert render('{{ t|when:"month" }}', "America/Phoenix", t=moment) == "December 2026"
    assert render("{{ d|when }}", "America/Phoenix", d=dt.date(2026, 12, 8)) == "Tue 8 Dec 2026"
    assert render("[{{ nothing|when }}]", "America/Phoenix", nothing=None) == "[]"


def test_the_filter_refuses_a_part_it_does_not_know():
    with pytest.raises(TemplateSyntaxError):
        render('{{ t|when:"F j" }}', "America/Phoenix", t=at(2026, 12, 8, 18, 0))


def _templates() -> list[Path]:
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += sorted(Path(settings.BASE_DIR).glob("*/templates"))
    return [path for root in roots for path in root.rglob("*") if path.suffix in (".html", ".txt")]


# |date with any format but "c" (the machine-readable <time datetime>), |time, naturaltime,
# naturalday, localtime, timesince/timeuntil, and {% now %}: each writes a date its own way.
OTHER_FORMATS = re.compile(
    r"""\|\s*date(?!\s*:\s*["']c["'])|\|\s*time\b|natural(time|day)|localtime|\|\s*time(since|until)|\{%\s*now\b"""
)


def test_no_template_writes_a_date_its_own_way():
    scanned = {path.relative_to(settings.BASE_DIR).as_posix() for path in _templates()}
    assert {"templates/base.html", "templates/practices/detail.html", "templates/emails/digest.txt"} <= scanned
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in _templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OTHER_FORMATS.search(line)
    ]
    assert offenders == [], "Use {% load when %} and |when (or |when:'day'/'month') instead:\n" + "\n".join(offenders)


def test_the_scan_catches_another_format():
    assert OTHER_FORMATS.search('{{ comment.created|date:"M j, Y" }}')
    assert OTHER_FORMATS.search("{{ comment.created|naturaltime }}")
    assert not OTHER_FORMATS.search("<time datetime=\"{{ comment.created|date:'c' }}\">")


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "shown"), [("America/Phoenix", "11:00 MST"), ("America/New_York", "13:00 EST")])
def test_a_comment_reads_in_the_viewers_zone(client, coalition, zone, shown):
    viewer = UserFactory(profile__time_zone=zone)
    MembershipFactory(user=viewer, coalition=coalition)
    comment = CommentFactory(created=at(2026, 12, 8, 18, 0))
    client.force_login(viewer)
    page = client.get(comment.practice.get_absolute_url()).content.decode()
    assert f"Tue 8 Dec 2026, {shown}" in page
