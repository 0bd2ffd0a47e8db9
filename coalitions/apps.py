from django.apps import AppConfig


class CoalitionsConfig(AppConfig):
    name = "coalitions"
    verbose_name = "Coalitions and members"

    def ready(self):
        from . import accounts  # noqa: F401  (connects the signup receiver)
