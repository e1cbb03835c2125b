import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from taxonomy.io import TaxonomyImportError, parse_taxonomy_file, taxonomy_import


class Command(BaseCommand):
    help = "Import a taxonomy from ClipCat JSON or CSV, or an adjacency list such as the IAB Content Taxonomy."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", default="", help="Name of the new taxonomy (default: the file's own).")
        parser.add_argument("--max-depth", type=int, default=None, help="Levels allowed (default 3).")
        parser.add_argument(
            "--fold-deeper",
            action="store_true",
            help="Fold categories deeper than the limit into their deepest allowed ancestor.",
        )

    def handle(self, *args, file: Path, name: str, max_depth, fold_deeper: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            parsed = parse_taxonomy_file(file.read_bytes())
            bar = tqdm(total=len(parsed.rows), unit="cat", desc="Importing", disable=not sys.stderr.isatty())

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            result = taxonomy_import(
                parsed=parsed, name=name or file.stem, max_depth=max_depth, fold_deeper=fold_deeper, progress=progress
            )
            bar.close()
        except TaxonomyImportError as exc:
            raise CommandError(exc.message) from None
        levels = ", ".join(f"level {lvl}: {n}" for lvl, n in result.per_level.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created} categories into {result.taxonomy.name!r} ({levels})"
                + (f"; folded {result.folded} deeper ones into their ancestors." if result.folded else ".")
            )
        )
