"""Demo shared needs and calls for solutions from ``demo.toml``, made through ``calls.services``.

Needs are posted by their poster, then co-signed by the members named there, and one made a working
group by the partnership admin (which invites its co-signers); calls are published by their author,
answered (as the vendors' verified links would), scored, decided and, for a past call, closed with its
results practice. Idempotent: needs and calls by title, co-signatures by (need, coalition), a working
group by the need's meeting."""

import datetime as dt
import tomllib
import zoneinfo
from pathlib import Path

from django.utils import timezone

from practices.models import FocusArea

from . import services
from .models import Call, Need, NeedSignature

DATA = tomllib.loads(Path(__file__).with_name("demo.toml").read_text(encoding="utf-8"))


def _person(people, coalition_slug: str, who: str):
    if who == "admin":
        return people.admins[coalition_slug]
    return people.members[coalition_slug][int(who.removeprefix("member")) - 1]


def seed(*, people, stdout) -> dict[str, Need]:
    needs = seed_needs(people=people, stdout=stdout)
    seed_calls(people=people, stdout=stdout)
    return needs


def seed_needs(*, people, stdout) -> dict[str, Need]:
    areas = {a.slug: a for a in FocusArea.objects.all()}
    needs, created, signed, groups = {}, 0, 0, 0
    for row in DATA["need"]:
        need = Need.objects.filter(title=row["title"]).first()
        if need is None:
            need = services.post_need(
                by=_person(people, row["coalition"], row["poster"]),
                coalition=people.coalitions[row["coalition"]],
                data={
                    "title": row["title"],
                    "problem": row["problem"].strip(),
                    "affected": row.get("affected", "").strip(),
                    "tried": row.get("tried", "").strip(),
                    "focus_areas": [areas[slug] for slug in row["focus_areas"]],
                    "government_level": row.get("government_level", ""),
                    "budget": row.get("budget", ""),
                    "timeframe": row.get("timeframe", ""),
                },
            )
            created += 1
        for sign in row.get("cosign", []):
            coalition = people.coalitions[sign["coalition"]]
            if NeedSignature.objects.filter(need=need, coalition=coalition).exists():
                continue
            services.cosign_need(
                need=need,
                by=_person(people, sign["coalition"], sign["by"]),
                coalition=coalition,
                context=sign["context"],
            )
            signed += 1
        if row.get("working_group") and need.meeting_id is None:
            need.refresh_from_db()
            _plan_working_group(need, row["working_group"], people=people)
            groups += 1
        needs[row["title"]] = need
    stdout.write(f"Needs: {created} new, {signed} co-signatures, {groups} working group(s).")
    return needs


def _plan_working_group(need: Need, group: dict, *, people) -> None:
    """The partnership admin's one click: a one-off meeting ``days_ahead`` days from today, at the local
    time given, inviting the need's poster and co-signers (``plan_working_group`` does)."""
    zone = zoneinfo.ZoneInfo(group["time_zone"])
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=group["days_ahead"])
    start = dt.datetime.combine(day, dt.time.fromisoformat(group["local_time"]), tzinfo=zone)
    services.plan_working_group(
        need=need,
        by=people.partnership_admin,
        data={
            "title": group["title"],
            "description": services.working_group_description(need),
            "start": start,
            "end": start + dt.timedelta(minutes=group["duration_minutes"]),
            "time_zone": group["time_zone"],
            "host_coalition": None,
        },
    )


def seed_calls(*, people, stdout) -> None:
    areas = {a.slug: a for a in FocusArea.objects.all()}
    now = timezone.now().replace(microsecond=0)
    created = 0
    for row in DATA["call"]:
        if Call.objects.filter(title=row["title"]).exists():
            continue
        author = _person(people, row["coalition"], row["author"])
        day = {
            name: now + dt.timedelta(days=row[f"{name}_days"])
            for name in ("opens", "closes", "evaluation_ends", "results")
        }
        call = services.publish_call(
            by=author,
            coalition=people.coalitions[row["coalition"]],
            data={
                "title": row["title"],
                "problem": row["problem"].strip(),
                "asks": row["asks"].strip(),
                "terms": row["terms"].strip(),
                "focus_areas": [areas[slug] for slug in row["focus_areas"]],
                "government_level": row.get("government_level", ""),
                "is_public": row["is_public"],
                "time_zone": row["time_zone"],
                "opens_at": day["opens"],
                "closes_at": day["closes"],
                "evaluation_ends_at": day["evaluation_ends"],
                "results_at": day["results"],
            },
            criteria=[(c["name"], c["weight"]) for c in row["criteria"]],
        )
        evaluators = [
            services.invite_evaluator(call=call, by=author, user=_person(people, e["coalition"], e["who"]))
            for e in row["evaluators"]
        ]
        criteria = list(call.criteria.all())
        for number, answer in enumerate(row["submission"], start=1):
            sent_at = day["opens"] + dt.timedelta(days=number)
            submission = services.submit_solution(
                call=call,
                now=sent_at,
                data={
                    "name": answer["name"],
                    "organization": answer["organization"],
                    "email": answer["email"],
                    "summary": answer["summary"],
                    "description": answer["description"],
                    "accepted_terms": True,
                    "consents_to_be_named": answer["consents"],
                },
            )
            submission = services.verify_submission(token=services.verify_token(submission), now=sent_at)
            for evaluator, values in zip(evaluators, answer["scores"], strict=True):
                services.score_submission(
                    submission=submission,
                    by=evaluator.user,
                    values={c.pk: v for c, v in zip(criteria, values, strict=True)},
                )
            services.set_submission_status(submission=submission, by=author, status=answer["status"])
        if row.get("close"):
            services.close_call(call=call, by=author, now=day["results"])
        created += 1
    stdout.write(f"Calls for solutions: {created} new.")
