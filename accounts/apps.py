from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from .roles import sync_roles_after_migrate

        # Permissions of every app exist only after its migrations ran, so the groups are (re)built then.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
