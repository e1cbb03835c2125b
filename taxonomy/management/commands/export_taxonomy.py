import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taxonomy.io import export_csv, export_json
from taxonomy.models import Taxonomy


class Command(BaseCommand):
    help = "Export a taxonomy as nested JSON or flat CSV."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", type=Path, default=None, help="File to write (default: standard output).")

    def handle(self, *args, name: str, format: str, output, **options):
        try:
            taxonomy = Taxonomy.objects.get(name=name)
        except Taxonomy.DoesNotExist:
            known = ", ".join(Taxonomy.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No taxonomy named {name!r} (known: {known}).") from None
        text = (
            json.dumps(export_json(taxonomy), ensure_ascii=False, indent=2) + "\n"
            if format == "json"
            else export_csv(taxonomy)
        )
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
