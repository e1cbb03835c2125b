"""Final labels out (CSV or JSON, streamed in constant memory) and existing labels in (CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from annotation.choices import TaskStatus
from annotation.models import Clip, Project, Task
from taxonomy.choices import CategoryStatus
from taxonomy.models import Category
from taxonomy.selectors import category_index

COLUMNS = [
    "clip_id",
    "clip_title",
    "checksum",
    "status",
    "category_code",
    "category_path",
    "level1",
    "level2",
    "level3",
    "release",
    "source",
    "decided_by",
    "agreement_partial",
    "labels",
    "program",
]
FORMULA_PREFIXES = ("=", "+", "-", "@")


def _neutralise(value) -> str:
    """Keep spreadsheets from running a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_PREFIXES else text


def export_rows(project: Project) -> Iterator[dict]:
    """One dict per non-gold task, in task order, read in chunks (constant memory)."""
    cats = category_index(project.taxonomy_id)
    releases = dict(project.taxonomy.releases.values_list("id", "major"))
    minor = dict(project.taxonomy.releases.values_list("id", "minor"))
    qs = (
        Task.objects.filter(project=project, is_gold=False)
        .order_by("id")
        .values_list(
            "clip_id",
            "clip__title",
            "clip__checksum",
            "status",
            "final_category_id",
            "final_release_id",
            "final_source",
            "final_decided_by__username",
            "agreement",
            "labels_count",
            "final_program__title",
        )
    )
    for (
        clip_id,
        title,
        checksum,
        status,
        cat_id,
        rel_id,
        source,
        decided_by,
        agreement,
        n_labels,
        program,
    ) in qs.iterator(chunk_size=2000):
        cat = cats.get(cat_id) or {"code": "", "path": "", "codes": ()}
        code, path, codes = cat["code"], cat["path"], list(cat["codes"])
        codes = codes + [""] * (3 - len(codes))
        yield {
            "clip_id": clip_id,
            "clip_title": title,
            "checksum": checksum,
            "status": status,
            "category_code": code,
            "category_path": path,
            "level1": codes[0],
            "level2": codes[1],
            "level3": codes[2],
            "release": f"{releases[rel_id]}.{minor[rel_id]}" if rel_id else "",
            "source": source,
            "decided_by": decided_by or "",
            "agreement_partial": (agreement or {}).get("partial", ""),
            "labels": n_labels,
            "program": program or "",
        }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(rows: Iterator[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow([_neutralise(row[c]) for c in COLUMNS])


def _json_stream(project: Project, rows: Iterator[dict]) -> Iterator[str]:
    head = {
        "project": project.name,
        "taxonomy": project.taxonomy.name,
        "release": project.release.version,
        "exported_at": timezone.now().isoformat(),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "clips": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]}"


def stream_export(project: Project, file_format: str) -> StreamingHttpResponse:
    if file_format == "json":
        response = StreamingHttpResponse(_json_stream(project, export_rows(project)), content_type="application/json")
    else:
        file_format = "csv"
        response = StreamingHttpResponse(_csv_stream(export_rows(project)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="project-{project.pk}-labels.{file_format}"'
    return response


@transaction.atomic
def labels_import_csv(*, project: Project, data: bytes, actor=None) -> dict:
    """Set final labels from a CSV with `clip_id` or `checksum`, and `category_code` (optionally
    `program`). Every row is checked first; on any error nothing is imported and each bad row is named."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or [])
    if "category_code" not in fields or not ({"clip_id", "checksum"} & fields):
        raise ValidationError("The CSV needs a 'category_code' column and a 'clip_id' or 'checksum' column.")
    categories = {c.code: c for c in Category.objects.filter(taxonomy=project.taxonomy)}
    tasks_by_clip = {t.clip_id: t for t in Task.objects.filter(project=project)}
    by_checksum = dict(Clip.objects.filter(pk__in=tasks_by_clip).values_list("checksum", "id"))
    problems, plan = [], []
    for line, row in enumerate(reader, start=2):
        raw_id = (row.get("clip_id") or "").strip()
        clip_id = int(raw_id) if raw_id.isdigit() else by_checksum.get((row.get("checksum") or "").strip())
        code = (row.get("category_code") or "").strip().lstrip("'")
        if clip_id not in tasks_by_clip:
            problems.append(f"line {line}: the clip is not in this project.")
        elif code not in categories:
            problems.append(f"line {line}: no category with code {code!r} in {project.taxonomy.name!r}.")
        elif categories[code].status != CategoryStatus.ACTIVE:
            problems.append(f"line {line}: {code!r} is deprecated.")
        else:
            plan.append((tasks_by_clip[clip_id], categories[code]))
    if problems:
        raise ValidationError(problems[:50] + ([f"... and {len(problems) - 50} more"] if len(problems) > 50 else []))
    now = timezone.now()
    for task, category in plan:
        Task.objects.filter(pk=task.pk).update(
            status=TaskStatus.DONE,
            final_category=category,
            final_source="import",
            final_release=project.release,
            final_decided_by=actor if actor is not None and actor.is_authenticated else None,
            completed_at=now,
        )
    return {"imported": len(plan)}
