import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from classifier.choices import RunTrigger
from classifier.models import TrainingRun
from classifier.services.runs import training_run_request
from classifier.services.training import training_run_execute

from ._common import taxonomy_named


class Command(BaseCommand):
    help = "Train the taxonomy's classifier now, in this process, on its labels under the latest release."

    def add_arguments(self, parser):
        parser.add_argument("taxonomy", help="Taxonomy name")
        parser.add_argument("--reason", default="started from the command line")

    def handle(self, *args, taxonomy: str, reason: str, **options):
        tax = taxonomy_named(taxonomy)
        run = training_run_request(taxonomy=tax, trigger=RunTrigger.MANUAL, reason=reason, window_s=0)
        bar = tqdm(total=100, unit="%", desc="training", disable=not sys.stderr.isatty())
        done = threading.Event()

        def watch() -> None:
            while not done.wait(1.0):
                row = TrainingRun.objects.filter(pk=run.pk).values("progress", "stage").first()
                if row:
                    bar.n = int(row["progress"] * 100)
                    bar.set_postfix_str(row["stage"])

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        result = training_run_execute(run_id=run.pk)
        done.set()
        bar.close()
        if result is None:
            raise CommandError(f"Run {run.pk} was taken by a worker; follow it on its page.")
        result.refresh_from_db()
        self.stdout.write(result.log)
        if result.status != "succeeded":
            raise CommandError(f"Run {result.pk} {result.status}: {result.error}")
        version = result.model_version
        metrics = ", ".join(f"{k} {v:.3f}" for k, v in sorted(version.metrics.items()) if isinstance(v, float))
        self.stdout.write(
            self.style.SUCCESS(f"v{version.number} ({version.status}) in {time.monotonic() - started:.0f} s: {metrics}")
        )
