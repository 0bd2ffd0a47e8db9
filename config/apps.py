from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project package is an app too, for the home page and the seed_demo command."""

    name = "config"
    verbose_name = "Portal"
