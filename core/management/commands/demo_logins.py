from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        logins = ", ".join(f"{user} ({role})" for user, role in DEMO_USERS)
        self.stdout.write(f"  Demo logins: {logins}; password for all: {DEMO_PASSWORD}")
