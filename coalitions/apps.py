from django.apps import AppConfig


class CoalitionsConfig(AppConfig):
    name = "coalitions"
    verbose_name = "Coalitions and members"

    def ready(self):
        from . import accounts  # connects the profile receiver

        accounts.name_users_by_email()
