"""The funding programs the partnership named when the list began (issue 15), as (name, slug).

A leaf module: the migration that created ``FundingProgram`` seeds these, and the demo restores any that a
flushed test database lacks. Partnership admins add more in the Django admin; this list is not the list.
"""

SEEDED_PROGRAMS = [
    ("ARPA State and Local Fiscal Recovery Funds", "arpa-slfrf"),
    ("IIJA SMART grants", "iija-smart"),
    ("BEAD broadband program", "bead"),
    ("Digital Equity Act programs", "digital-equity-act"),
    ("FTA grants", "fta"),
    ("FHWA grants", "fhwa"),
    ("State grants", "state-grants"),
    ("Philanthropy", "philanthropy"),
    ("Local budget", "local-budget"),
    ("Public-private partnership", "public-private-partnership"),
]
