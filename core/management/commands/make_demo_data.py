from contextlib import nullcontext

from django.core.management.base import BaseCommand

from core.demo import demo_data_make


class Command(BaseCommand):
    help = "Create demo users, a three-level demo taxonomy with standards, and demo clips. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true", help="Process demo clips here instead of on the queue.")
        parser.add_argument(
            "--with-model",
            action="store_true",
            help="Also train a first classifier on seed labels and pre-label every clip.",
        )

    def handle(self, *args, sync: bool = False, with_model: bool = False, **options):
        from django.test.utils import override_settings

        with override_settings(CLIPCAT_PROCESS_INLINE=True) if sync else nullcontext():
            demo_data_make(self.stdout, with_model=with_model)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
