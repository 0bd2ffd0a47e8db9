"""The outcome measures adopters start from; partnership admins add more in the Django admin.

Read by the migration that created the list and by the demo (which restores any that a flushed test
database lacks). Each has a fixed unit, so figures add up and compare across coalitions.
"""

DEFAULT_MEASURES = [
    {
        "name": "RFP preparation time saved",
        "slug": "rfp-weeks-saved",
        "unit": "weeks",
        "summary_label": "of RFP work saved",
        "allows_negative": False,
        "help_text": "Weeks of writing and review you did not need, compared with starting from scratch.",
        "order": 0,
    },
    {
        "name": "Cost versus an own procurement",
        "slug": "cost-vs-own-procurement",
        "unit": "percent",
        "summary_label": "cost versus buying alone",
        "allows_negative": True,
        "help_text": "Price difference against buying on your own: -15 means 15% cheaper.",
        "order": 10,
    },
    {
        "name": "Staff hours saved per year",
        "slug": "staff-hours-saved",
        "unit": "hours_year",
        "summary_label": "of staff time saved",
        "allows_negative": False,
        "help_text": "",
        "order": 20,
    },
    {
        "name": "Residents served",
        "slug": "residents-served",
        "unit": "people",
        "summary_label": "served",
        "allows_negative": False,
        "help_text": "People the service reaches.",
        "order": 30,
    },
]
