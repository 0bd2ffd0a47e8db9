"""CSV downloads of the insights page's figures, made to open correctly in a spreadsheet by
``coalitions.csvsafe`` (a byte order mark, a header row, ISO dates, formula-like text neutralised)."""

from django.urls import reverse

from coalitions.csvsafe import neutralise, to_csv

__all__ = ["CHARTS", "neutralise", "tables", "to_csv"]

CHARTS = (
    "practices-by-month",
    "adoptions-by-month",
    "reuse",
    "reuse-by-level",
    "first-adoption",
    "funding",
    "most-adopted",
    "attendance",
    "viewed-not-adopted",
    "places",
)


def iso_month(day) -> str:
    return day.isoformat()


def _number(value: float | None):
    """A median: whole days as an integer, a half as 2.5, none as an empty cell."""
    if value is None:
        return ""
    return int(value) if value == int(value) else value


def _address(site_url: str, slug: str) -> str:
    return site_url + reverse("practices:detail", args=[slug])


def tables(data: dict, site_url: str) -> dict[str, tuple[list[str], list[list]]]:
    """Each chart's data as (header, rows), for the CSV downloads."""
    by_month = data["practices_by_month"]
    adoptions = data["adoptions_by_month"]
    reuse = data["reuse"]
    first = data["first_adoption"]
    return {
        "practices-by-month": (
            ["month", *[s["label"] for s in by_month["series"]], "practices"],
            [
                [iso_month(month), *[s["data"][i] for s in by_month["series"]], by_month["totals"][i]]
                for i, month in enumerate(by_month["months"])
            ],
        ),
        "adoptions-by-month": (
            ["month", *[s["label"].lower() for s in adoptions["series"]], "adoptions"],
            [
                [iso_month(month), *[s["data"][i] for s in adoptions["series"]], adoptions["totals"][i]]
                for i, month in enumerate(adoptions["months"])
            ],
        ),
        "reuse": (
            ["adopting coalition", "sharing coalition", "adoptions"],
            [list(pair) for pair in reuse["pairs"]],
        ),
        "reuse-by-level": (
            ["adopting level", "sharing level", "adoptions"],
            [list(pair) for pair in data["reuse_by_level"]["pairs"]],
        ),
        "first-adoption": (
            ["focus area", "practices shared", "adopted", "median days to first adoption"],
            [
                *[[r["label"], r["shared"], r["adopted"], _number(r["median_days"])] for r in first["rows"]],
                ["All practices", first["shared"], first["adopted"], _number(first["median_days"])],
            ],
        ),
        "funding": (
            ["funding program", "practices shared", "adoptions"],
            [[row["name"], row["practices"], row["adoptions"]] for row in data["funding"]["rows"]],
        ),
        "viewed-not-adopted": (
            ["practice", "coalition", "page views", "address"],
            [
                [row["title"], row["coalition"], row["views"], _address(site_url, row["slug"])]
                for row in data["viewed_not_adopted"]
            ],
        ),
        "places": (
            ["coalition", "place", "practices shared"],
            [[row["name"], row["place"], row["n"]] for row in data["places"]["coalitions"]],
        ),
        "attendance": (
            ["meeting date", "meeting", "coalition", "members attending"],
            [[day.isoformat(), title, coalition, n] for day, title, coalition, n in data["attendance"]["pairs"]],
        ),
        "most-adopted": (
            ["practice", "coalition", "adoptions", "confirmed adoptions", "address"],
            [
                [
                    row["title"],
                    row["coalition"],
                    row["adoptions"],
                    row["confirmed"],
                    site_url + reverse("practices:detail", args=[row["slug"]]),
                ]
                for row in data["most_adopted"]
            ],
        ),
    }
