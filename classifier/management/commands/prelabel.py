import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from annotation.models import Clip
from classifier.services.inference import predict_clips, prediction_batches

from ._common import taxonomy_named, version_of


class Command(BaseCommand):
    help = "Predict every ready clip with a model version (the active one by default), in batches."

    def add_arguments(self, parser):
        parser.add_argument("taxonomy")
        parser.add_argument(
            "--model-version", type=int, default=None, help="Model version number (default: the active one)"
        )

    def handle(self, *args, taxonomy: str, model_version, **options):
        model = version_of(taxonomy_named(taxonomy), model_version)
        batches = prediction_batches(version=model)
        total = sum(len(b) for b in batches)
        with tqdm(total=total, unit="clip", desc="predicting", disable=not sys.stderr.isatty()) as bar:
            for batch in batches:
                predict_clips(version=model, clips=list(Clip.objects.filter(pk__in=batch).prefetch_related("tags")))
                bar.update(len(batch))
        self.stdout.write(self.style.SUCCESS(f"Predicted {total} clips with v{model.number}."))
