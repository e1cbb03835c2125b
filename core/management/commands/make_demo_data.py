from contextlib import nullcontext

from django.core.management.base import BaseCommand

from core.demo import demo_data_make


class Command(BaseCommand):
    help = "Create demo users, a three-level demo taxonomy with standards, and demo clips. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true", help="Process demo clips here instead of on the queue.")

    def handle(self, *args, sync: bool = False, **options):
        from django.test.utils import override_settings

        with override_settings(CLIPCAT_PROCESS_INLINE=True) if sync else nullcontext():
            demo_data_make(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
