from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (its login is the portal's login)."""

    default = False  # "config" in INSTALLED_APPS still means ConfigConfig
    default_site = "config.admin_site.PortalAdminSite"


class ConfigConfig(AppConfig):
    """The project package is an app too, for the home page and the seed_demo command."""

    name = "config"
    verbose_name = "Portal"

    def ready(self):
        from . import receivers

        receivers.connect()
        # SQLite cannot create the folder of its database file: make it before the first connection
        # (a fresh clone has no var/ yet). Settings only name the folder.
        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) != ":memory:":
            Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
