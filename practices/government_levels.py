"""Levels of government a practice or an adoption comes from, and a best guess from free text.

A leaf module (nothing of the portal imported here): models, the data migration that filled the level
for practices written before it existed, and higher apps (calls, insights) import it alike.
"""

import re

from django.db import models


class GovernmentLevel(models.TextChoices):
    CITY = "city", "City, town or village"
    COUNTY = "county", "County"
    REGIONAL = "regional", "Regional (council of governments, metro area)"
    STATE = "state", "State"
    TRIBAL = "tribal", "Tribal nation"
    MULTI = "multi", "Several jurisdictions together"


# The level as an adjective, in titles such as "New county practices".
FEED_NAMES = {
    "city": "city",
    "county": "county",
    "regional": "regional",
    "state": "state",
    "tribal": "tribal",
    "multi": "multi-jurisdiction",
}

# Forms and services say this of a level that is not one of the choices.
UNKNOWN_LEVEL_MESSAGE = (
    "“%(value)s” is not a level of government; the levels are city, county, regional, state, tribal and "
    "multi (several jurisdictions together)."
)

US_STATES = frozenset(
    {
        "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
        "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
        "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri",
        "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
        "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
        "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia", "washington",
        "west virginia", "wisconsin", "wyoming", "puerto rico",
    }
)  # fmt: skip
US_STATE_CODES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
        "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR",
    }
)  # fmt: skip

TRIBAL = re.compile(r"\b(tribes?|tribal|nations?|pueblo|rancheria|band of)\b")
REGIONAL = re.compile(
    r"\b(regions?|regional|councils? of governments?|cog|association of governments|metro|metropolitan|"
    r"mpo|metroplex|area council)\b"
)
# Words that say "more than one" outright: "Cities of Dallas and Fort Worth", "multi-jurisdiction".
MULTI = re.compile(r"\b(multi|multiple|several|cities|counties|towns|villages|municipalities)\b|multi-")
COUNTY = re.compile(r"\b(county|parish)\b")
STATE_PREFIX = re.compile(r"^(the )?(state|commonwealth) of\b|\bstatewide\b")
STATE_AGENCY = re.compile(r"^(.+?)\s+(department|dept|dot|office|agency|division)\b")
# Between jurisdictions in a list: "Boulder; Longmont", "Tempe & Mesa", "Denver and Aurora", "A, B, C".
SEPARATORS = re.compile(r"\s*(?:;|/|&|\+|,|\band\b)\s*", re.IGNORECASE)
CITY_AND_COUNTY = re.compile(r"\bcity\s*(?:and|&)\s*county\b", re.IGNORECASE)
# A comma part that qualifies the one before it rather than naming another jurisdiction.
QUALIFIER = re.compile(r"^(usa?|united states|(office|department|dept|division|bureau|agency)\b.*)$")


def _is_state(name: str, original: str) -> bool:
    return name in US_STATES or original.strip().upper() in US_STATE_CODES and original.strip().isupper()


def _jurisdiction_count(text: str, original: str) -> int:
    """How many jurisdictions a list names; state names after a comma ("Kansas City, Missouri") and
    department names ("City of Dallas, Office of Innovation") qualify the one before them."""
    # Consolidated city-counties ("City and County of Denver") are one government.
    text, original = CITY_AND_COUNTY.sub("county", text), CITY_AND_COUNTY.sub("county", original)
    parts = [p for p in SEPARATORS.split(text) if p]
    originals = [p for p in SEPARATORS.split(original) if p]
    count = 0
    for index, part in enumerate(parts):
        raw = originals[index] if len(originals) == len(parts) else part
        if index and (_is_state(part, raw) or QUALIFIER.match(part)):
            continue
        count += 1
    return count


def guess_government_level(jurisdiction: str) -> str:
    """The level of government a free-text jurisdiction most likely names; ``city`` when nothing says otherwise.

    In this order: tribal words (tribe, nation, pueblo, rancheria, band of); regional ones (region,
    council of governments, association of governments, metro, metropolitan, MPO); several jurisdictions
    (plural "cities"/"counties"/…, "multi", or a list joined by and, &, /, ; or commas, where a state or
    a department after a comma does not count); county or parish; a state (a state's name or code alone,
    "State of …", "Commonwealth of …", "statewide", "<state> Department of …"); else city, also for an
    empty jurisdiction.
    """
    original = " ".join((jurisdiction or "").split())
    text = original.lower()
    if not text:
        return GovernmentLevel.CITY
    if TRIBAL.search(text):
        return GovernmentLevel.TRIBAL
    if REGIONAL.search(text):
        return GovernmentLevel.REGIONAL
    if MULTI.search(text) or _jurisdiction_count(text, original) > 1:
        return GovernmentLevel.MULTI
    if COUNTY.search(text):
        return GovernmentLevel.COUNTY
    bare = text.removeprefix("the ").rstrip(".")
    agency = STATE_AGENCY.match(bare)
    if STATE_PREFIX.search(text) or _is_state(bare, original) or (agency and agency.group(1) in US_STATES):
        return GovernmentLevel.STATE
    return GovernmentLevel.CITY
