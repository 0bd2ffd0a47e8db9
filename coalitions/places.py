"""Where a coalition is: the US states it covers (postal codes) and, for a metro coalition, a point.

A leaf module (nothing of the portal imported here): the model, its form, the migration that placed the demo
coalitions and the insights map read it alike. Names are as the map's boundary data (us-atlas) spells them.
"""

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico",
}  # fmt: skip


def parse_state_codes(text: str) -> tuple[list[str], list[str]]:
    """``"co, ks MO"`` → (["CO", "KS", "MO"], []): the known codes in the order given, once each, and the
    unknown ones."""
    known, unknown = [], []
    for code in text.replace(",", " ").upper().split():
        if code in US_STATES:
            if code not in known:
                known.append(code)
        else:
            unknown.append(code)
    return known, unknown


def state_names(codes: str) -> list[str]:
    return [US_STATES[code] for code in codes.split(",") if code in US_STATES]
