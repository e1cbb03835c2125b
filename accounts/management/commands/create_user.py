from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLE_CHOICES
from accounts.services import user_create_with_role


class Command(BaseCommand):
    help = "Create a user with one role (admin, editor, annotator, reviewer)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[key for key, _ in ROLE_CHOICES])
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, password, email, **options):
        try:
            user_create_with_role(username=username, password=password, role=role, email=email)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{username} ({role}) is ready."))
