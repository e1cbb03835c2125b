from json import dumps

from django.core.management.base import BaseCommand

from classifier.metric_text import metric_text
from classifier.services.evaluation import model_version_evaluate

from ._common import taxonomy_named, version_of


class Command(BaseCommand):
    help = "Evaluate a model version on the test split of its release's labeled clips (per-category report too)."

    def add_arguments(self, parser):
        parser.add_argument("taxonomy")
        parser.add_argument(
            "--model-version", type=int, default=None, help="Model version number (default: the active one)"
        )
        parser.add_argument("--json", action="store_true", help="Print the full result as JSON")

    def handle(self, *args, taxonomy: str, model_version, json: bool, **options):
        model = version_of(taxonomy_named(taxonomy), model_version)
        result = model_version_evaluate(version=model)
        if json:
            self.stdout.write(dumps(result, indent=2, default=str))
            return
        self.stdout.write(
            f"v{model.number} on {result['count']} test clips (release {model.release.version}; 95% intervals)"
        )
        if not result.get("meaningful"):
            self.stdout.write(
                f"  Fewer than {result.get('min_count')} test clips: these figures are not yet meaningful."
            )
        for key in (
            "hit_at_1",
            "gap_at_20",
            "accuracy_level1",
            "accuracy_level2",
            "accuracy_level3",
            "macro_f1",
            "hierarchical_f1",
            "ece",
        ):
            if key in result:
                self.stdout.write(f"  {key:16s} {metric_text(result, key)}")
        for row in result.get("per_category", []):
            cells = (f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items() if k != "code")
            self.stdout.write(f"  {row['code']:40s} " + "  ".join(cells))
