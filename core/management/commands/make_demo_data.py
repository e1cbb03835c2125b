import logging
from contextlib import contextmanager, nullcontext

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

    def handle(self, *args, sync: bool = False, with_model: bool = False, verbosity: int = 1, **options):
        from django.test.utils import override_settings

        with (
            override_settings(CLIPCAT_PROCESS_INLINE=True) if sync else nullcontext(),
            nullcontext() if verbosity > 1 else _quiet_logs(),
        ):
            demo_data_make(self.stdout, with_model=with_model)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))


@contextmanager
def _quiet_logs():
    """One line per stage: the per-clip processing lines and the ONNX exporter's INFO (hundreds of lines
    on a first run) are left out unless -v 2 asks for them; warnings and errors still show."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        root.setLevel(level)
