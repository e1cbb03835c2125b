import sys
import time
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotation import services
from annotation.choices import ClipStatus
from annotation.manifest import ManifestError, manifest_read
from annotation.models import Clip


def _reason(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(m for ms in exc.message_dict.values() for m in ms)
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Import clips listed in a CSV or JSONL manifest (path, title, description, tags, program). "
        "Each row is imported on its own: a bad row is reported and never stops the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path)
        parser.add_argument("--wait", action="store_true", help="Wait until every imported clip is processed.")
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds --wait waits at most.")
        parser.add_argument("--sync", action="store_true", help="Process in this process instead of the queue.")

    def handle(self, *args, manifest: Path, wait: bool, timeout: float, sync: bool, **options):
        try:
            rows = manifest_read(manifest)
        except ManifestError as exc:
            raise CommandError(str(exc)) from None
        outcome: Counter = Counter()
        imported: list[Clip] = []
        problems: list[str] = []
        bar = tqdm(rows, unit="clip", desc="Importing", disable=not sys.stderr.isatty())
        for row in bar:
            where = f"line {row.line}" + (f" ({row.path.name})" if row.path else "")
            try:
                if row.problem:
                    raise ValidationError(row.problem)
                if not row.path.is_file():
                    raise ValidationError(f"no such file: {row.path}")
                program = services.program_get_or_create(title=row.program)[0] if row.program else None
                with open(row.path, "rb") as handle:
                    clip = services.clip_create(
                        file=File(handle, name=row.path.name),
                        title=row.title,
                        description=row.description,
                        tags=row.tags,
                        program=program,
                        source=row.source or f"import:{manifest.name}",
                        enqueue=not sync,
                    )
                if sync:
                    clip = services.clip_process(clip_id=clip.pk) or clip
            except services.DuplicateClipError as exc:
                outcome["skipped"] += 1
                problems.append(f"  skipped {where}: duplicate of clip #{exc.existing.pk} “{exc.existing.title}”")
            except (ValidationError, OSError) as exc:
                outcome["failed"] += 1
                problems.append(f"  failed {where}: {_reason(exc) if isinstance(exc, ValidationError) else exc}")
            else:
                outcome["imported"] += 1
                imported.append(clip)
        bar.close()
        for problem in problems:
            self.stdout.write(problem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome['imported']}, skipped {outcome['skipped']} as duplicates, "
                f"failed {outcome['failed']} (of {len(rows)} rows)."
            )
        )
        if wait and imported:
            self._wait([c.pk for c in imported], timeout)

    def _wait(self, ids: list[int], timeout: float) -> None:
        busy = [ClipStatus.PENDING, ClipStatus.PROCESSING]
        deadline = time.monotonic() + timeout
        bar = tqdm(total=len(ids), unit="clip", desc="Processing", disable=not sys.stderr.isatty())
        while True:
            done = Clip.objects.filter(pk__in=ids).exclude(status__in=busy).count()
            bar.n = done
            bar.refresh()
            if done == len(ids) or time.monotonic() > deadline:
                break
            time.sleep(1)
        bar.close()
        counts: Counter = Counter()
        for clip in Clip.objects.filter(pk__in=ids).order_by("pk"):
            counts[clip.status] += 1
            if clip.status == ClipStatus.READY:
                line = f"  ready   #{clip.pk} {clip.title} ({clip.duration:.1f} s, {clip.width}x{clip.height})"
            elif clip.status == ClipStatus.FAILED:
                line = f"  failed  #{clip.pk} {clip.title}: {clip.error}"
            else:
                line = f"  {clip.status} #{clip.pk} {clip.title} (still waiting after {timeout:.0f} s)"
            self.stdout.write(line)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Processed: {summary}."))
        if counts.get(ClipStatus.PENDING) or counts.get(ClipStatus.PROCESSING):
            raise CommandError("Some clips were not processed in time: is a worker running on the media queue?")
