from django.db import migrations, models

from practices.government_levels import guess_government_level

LEVELS = [
    ("city", "City, town or village"),
    ("county", "County"),
    ("regional", "Regional (council of governments, metro area)"),
    ("state", "State"),
    ("tribal", "Tribal nation"),
    ("multi", "Several jurisdictions together"),
]


def fill_practice_levels(apps, schema_editor):
    """Each existing practice gets the level its free-text jurisdiction most likely names
    (``practices.government_levels.guess_government_level``; city when nothing says otherwise). One UPDATE
    per distinct jurisdiction, not per practice."""
    Practice = apps.get_model("practices", "Practice")
    jurisdictions = Practice.objects.filter(government_level="").values_list("jurisdiction", flat=True).distinct()
    for jurisdiction in list(jurisdictions.order_by()):
        Practice.objects.filter(government_level="", jurisdiction=jurisdiction).update(
            government_level=guess_government_level(jurisdiction)
        )


class Migration(migrations.Migration):
    """Practices and adoptions record the level of government they come from, beside the free-text
    jurisdiction. Existing practices are filled from their jurisdiction; existing adoptions stay blank
    (nothing in them names the adopter's level) until their coalition edits them."""

    dependencies = [
        ("practices", "0009_stored_similar_practices"),
    ]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="government_level",
            field=models.CharField(blank=True, choices=LEVELS, max_length=10),
        ),
        migrations.AddField(
            model_name="adoption",
            name="government_level",
            field=models.CharField(blank=True, choices=LEVELS, max_length=10),
        ),
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("is_hidden", False), ("status", "published")),
                fields=["government_level", "-published_at", "-id"],
                name="practice_listed_gov_level",
            ),
        ),
        migrations.RunPython(fill_practice_levels, migrations.RunPython.noop, elidable=True),
    ]
