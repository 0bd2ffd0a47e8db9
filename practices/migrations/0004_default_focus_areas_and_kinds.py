from django.db import migrations

FOCUS_AREAS = [
    (
        "Connectivity",
        "connectivity",
        "Broadband access and adoption, public Wi-Fi, digital inclusion, fiber and wireless infrastructure, "
        "and the mapping and funding that close the digital divide.",
    ),
    (
        "Cybersecurity",
        "cybersecurity",
        "Protecting city systems and residents' data: incident response, ransomware readiness, security "
        "assessments, procurement requirements and workforce training.",
    ),
    (
        "Sustainability",
        "sustainability",
        "Energy, water, waste, air quality and heat resilience: sensors, building performance, fleet "
        "electrification and the data that measures climate goals.",
    ),
    (
        "Transportation",
        "transportation",
        "Mobility and streets: connected and automated vehicles, transit, curb management, micromobility, "
        "traffic safety and signal operations.",
    ),
]

KINDS = [
    ("Case study", "case-study", "What a city did, how, and what happened."),
    ("RFP or procurement template", "rfp-template", "Requests for proposals, scopes of work and contract language."),
    ("Revenue or funding model", "revenue-model", "How a project was paid for and how it pays for itself."),
    ("Call-for-solutions results", "call-for-solutions", "What a call for solutions asked, who answered, what won."),
    ("Policy or ordinance", "policy", "Policies, ordinances, resolutions and governance documents."),
    ("Vendor evaluation", "vendor-evaluation", "How vendors or products were compared, and the results."),
    ("Playbook", "playbook", "Step-by-step guidance another city can follow."),
]


def create_defaults(apps, schema_editor):
    FocusArea = apps.get_model("practices", "FocusArea")
    PracticeKind = apps.get_model("practices", "PracticeKind")
    for name, slug, description in FOCUS_AREAS:
        FocusArea.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for order, (name, slug, description) in enumerate(KINDS):
        PracticeKind.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order * 10}
        )


class Migration(migrations.Migration):
    """The curated focus areas and practice kinds, so a clean database is usable at once.
    Reversing keeps them: practices may already point at them."""

    dependencies = [
        ("practices", "0003_search_indexes"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
