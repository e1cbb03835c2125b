from django.core.management.base import BaseCommand

from core.demo import demo_data_make


class Command(BaseCommand):
    help = "Create demo users, a three-level demo taxonomy with standards, and demo clips. Safe to run twice."

    def handle(self, *args, **options):
        demo_data_make(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
