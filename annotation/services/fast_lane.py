"""The labeling fast lane on PostgreSQL: "next clip" and "submit" in a few prepared statements.

An annotator does these two calls all day, and the ORM spent more time building their SQL than the
database spent running it. `queue.task_next_for_annotator` and `labels.label_submit` stay the reference:
they hold every rule and every refusal. The fast lane does only the common case, with the same rules, and
answers None whenever the case is anything else (a lease held already, a full hand, nothing left, a bad
category, a flag, a gold clip...): the caller then runs the reference, so each refusal and each rare case
has one implementation. Before the lane answers None it has changed nothing.

The lease is one statement (lock a candidate with SKIP LOCKED, count the slot, write the lease), so it
needs no transaction of its own. SQLite has no SKIP LOCKED nor data-modifying WITH: there the lane is
closed and the reference does everything.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from annotation.choices import QueueOrder, TaskStatus
from annotation.services.labels import decision_fields
from annotation.services.queue import MAX_HELD
from core.prepared import Statement

# The project as the queue needs it, whether the caller may use it (member, or `manage` for managers),
# and the caller's live leases in it, oldest first (as the reference orders them).
PROJECT_STATE = Statement(
    "queue_project_state",
    "SELECT p.is_active, p.gold_share, p.queue_order, p.lease_seconds, p.taxonomy_id,"
    " %s OR EXISTS (SELECT 1 FROM annotation_projectmember m WHERE m.project_id = p.id AND m.user_id = %s),"
    " ARRAY(SELECT a.id FROM annotation_assignment a JOIN annotation_task t ON t.id = a.task_id"
    "  WHERE a.annotator_id = %s AND t.project_id = p.id AND a.status = 'leased' AND a.expires_at >= %s"
    "  ORDER BY a.leased_at LIMIT %s)"
    " FROM annotation_project p WHERE p.id = %s",
    ["boolean", "integer", "integer", "timestamptz", "integer", "bigint"],
)

# One statement leases: the first open task in queue order that this person never had (NOT EXISTS on the
# (task, annotator) index), locked FOR UPDATE SKIP LOCKED so concurrent callers take different tasks;
# its slot counted (gold tasks are labeled by everyone and count none); the lease written, or this
# person's own expired lease of it taken up again. It returns what the labeling page shows of the clip.
# Parameters: project, user, gold, now, expires.
_LEASE = """
WITH cand AS (
  SELECT t.id, t.clip_id, t.relabel_reason,
    (SELECT min(e.id) FROM annotation_assignment e
      WHERE e.task_id = t.id AND e.annotator_id = %(user)s AND e.status = 'expired') AS expired_id
  FROM annotation_task t
  WHERE t.project_id = %(project)s AND t.status = 'open' AND t.is_gold = %(gold)s
    AND (%(gold)s OR t.taken < t.required)
    AND NOT EXISTS (SELECT 1 FROM annotation_assignment h WHERE h.task_id = t.id
      AND h.annotator_id = %(user)s AND h.status IN ('leased', 'submitted', 'skipped'))
  ORDER BY {order} LIMIT 1
  FOR UPDATE OF t SKIP LOCKED
), counted AS (
  UPDATE annotation_task t SET taken = t.taken + 1 FROM cand WHERE t.id = cand.id AND NOT %(gold)s
  RETURNING t.id
), revived AS (
  UPDATE annotation_assignment a SET status = 'leased', leased_at = %(now)s, expires_at = %(expires)s,
    finished_at = NULL
  FROM cand WHERE a.id = cand.expired_id
  RETURNING a.id
), made AS (
  INSERT INTO annotation_assignment (task_id, annotator_id, status, leased_at, expires_at, finished_at)
  SELECT cand.id, %(user)s, 'leased', %(now)s, %(expires)s, NULL FROM cand WHERE cand.expired_id IS NULL
  RETURNING id
)
SELECT COALESCE((SELECT id FROM revived), (SELECT id FROM made)), cand.id, cand.relabel_reason,
  c.id, c.title, c.description, c.duration, c.fps, c.width, c.height, c.has_audio, c.strip_frames,
  c.file, c.poster, c.strip, pr.id, pr.title, pr.kind, pr.year,
  ARRAY(SELECT tg.name FROM annotation_clip_tags ct JOIN annotation_tag tg ON tg.id = ct.tag_id
    WHERE ct.clip_id = c.id ORDER BY tg.name)
FROM cand JOIN annotation_clip c ON c.id = cand.clip_id LEFT JOIN annotation_program pr ON pr.id = c.program_id
"""
_LEASE_TYPES = {
    "project": "bigint", "user": "integer", "gold": "boolean", "now": "timestamptz", "expires": "timestamptz",
}  # fmt: skip
LEASE = {  # queue.QUEUE_ORDERING, in SQL
    order: Statement(f"queue_lease_{order}", _LEASE.format(order=sql), _LEASE_TYPES)
    for order, sql in (
        (QueueOrder.SEQUENTIAL, "t.id"),
        (QueueOrder.RANDOM, "t.random_key, t.id"),
        (QueueOrder.ACTIVE_LEARNING, "t.priority DESC, t.id"),
    )
}


# The columns LEASE returns after the lease id, task id and relabel reason.
_CLIP_COLUMNS = (
    "id", "title", "description", "duration", "fps", "width", "height", "has_audio", "strip_frames",
    "file", "poster", "strip",
)  # fmt: skip
_PROGRAM_COLUMNS = ("id", "title", "kind", "year")


@dataclass(frozen=True)
class FastLease:
    """A lease made by the fast lane, with what the labeling page shows of its clip."""

    id: int
    task_id: int
    project_id: int
    taxonomy_id: int
    leased_at: datetime
    expires_at: datetime
    relabel_reason: str
    clip: dict  # column -> value: id, title, description, ..., file, poster, strip
    program: dict | None  # id, title, kind, year
    tags: list[str]


def is_open() -> bool:
    return connection.vendor == "postgresql" and settings.CLIPCAT_LABELING_FAST_LANE


def lease_next(
    *, project_id: int, user, manager: bool, exclude: list[int], rng: random.Random | None = None
) -> FastLease | None:
    """Lease the next task to `user` as queue.task_next_for_annotator would, in the common case: the
    caller may use the project, it is active, they hold no lease beyond `exclude` and have room for one
    more, and a task is left for them. Otherwise None, having changed nothing: run the reference."""
    if not is_open():
        return None
    now = timezone.now()
    state = PROJECT_STATE.row([manager, user.pk, user.pk, now, MAX_HELD + 1, project_id])
    if state is None:
        return None
    is_active, gold_share, order, lease_seconds, taxonomy_id, allowed, live = state
    if not (allowed and is_active) or len(live) >= MAX_HELD or any(pk not in exclude for pk in live):
        return None  # not theirs (404), closed (204), a full hand (204), or a held lease to give back
    gold_first = bool(gold_share) and (rng or random).random() < gold_share
    expires = now + timedelta(seconds=lease_seconds)
    for gold in (True, False) if gold_first else (False, True):
        if gold and not gold_share:
            continue
        row = LEASE[order].row({"project": project_id, "user": user.pk, "gold": gold, "now": now, "expires": expires})
        if row is not None:
            return FastLease(
                id=row[0],
                task_id=row[1],
                project_id=project_id,
                taxonomy_id=taxonomy_id,
                leased_at=now,
                expires_at=expires,
                relabel_reason=row[2],
                clip=dict(zip(_CLIP_COLUMNS, row[3:15], strict=True)),
                program=None if row[15] is None else dict(zip(_PROGRAM_COLUMNS, row[15:19], strict=True)),
                tags=list(row[19]),
            )
    return None  # nothing found: the reference reclaims expired leases and looks again


# Submit, in the reference's lock order: the task row first (as labels._finish_lease), then the lease.
SUBMIT_LOCK = Statement(
    "label_submit_lock",
    "SELECT t.id, t.is_gold, t.required, p.taxonomy_id, p.release_id, a.status,"
    " (SELECT x.max_depth FROM taxonomy_taxonomy x WHERE x.id = p.taxonomy_id)"
    " FROM annotation_assignment a JOIN annotation_task t ON t.id = a.task_id"
    " JOIN annotation_project p ON p.id = t.project_id"
    " WHERE a.id = %s AND a.annotator_id = %s FOR UPDATE OF t",
    ["bigint", "integer"],
)

# Close the lease, write the label and count it, in one statement that changes nothing unless the lease
# is open and the category, program and suggested category are what the reference accepts. It returns
# the new label with what its answer shows, and the paths of the task's other current labels (committed
# before this transaction took the task's lock) for agreement.
_ANCESTOR_CODES = (
    "ARRAY(SELECT a.code FROM taxonomy_category a"
    " WHERE a.tree_id = {c}.tree_id AND a.lft <= {c}.lft AND a.rght >= {c}.rght ORDER BY a.lft)"
)
SUBMIT_WRITE = Statement(
    "label_submit_write",
    f"""
WITH fin AS (
  UPDATE annotation_assignment SET status = 'submitted', finished_at = %(now)s
  WHERE id = %(lease)s AND status = 'leased'
    AND EXISTS (SELECT 1 FROM taxonomy_category c
      WHERE c.id = %(category)s AND c.taxonomy_id = %(taxonomy)s AND c.status = 'active')
    AND (%(program)s IS NULL OR EXISTS (SELECT 1 FROM annotation_program g WHERE g.id = %(program)s))
    AND (%(suggested)s IS NULL OR EXISTS (SELECT 1 FROM taxonomy_category s WHERE s.id = %(suggested)s))
  RETURNING id
), lab AS (
  INSERT INTO annotation_label (task_id, assignment_id, annotator_id, kind, category_id, program_id, release_id,
    time_spent_ms, suggested_category_id, suggestion_taken, skip_reason, flagged, flag_comment, supersedes_id,
    is_current, created_at)
  SELECT %(task)s, fin.id, %(user)s, 'label', %(category)s, %(program)s, %(release)s, %(time)s, %(suggested)s,
    COALESCE(%(suggested)s = %(category)s, false), '', false, '', NULL, true, %(now)s
  FROM fin
  RETURNING id
), counted AS (
  UPDATE annotation_task t SET labels_count = t.labels_count + 1 FROM lab WHERE t.id = %(task)s
  RETURNING t.labels_count
)
SELECT lab.id, counted.labels_count, c.code, c.name, c.path, r.major || '.' || r.minor, {_ANCESTOR_CODES.format(c="c")},
  (SELECT json_agg(json_build_array(l.category_id, l.program_id, {_ANCESTOR_CODES.format(c="lc")}))
    FROM annotation_label l JOIN taxonomy_category lc ON lc.id = l.category_id
    WHERE l.task_id = %(task)s AND l.kind = 'label' AND l.is_current)
FROM lab CROSS JOIN counted JOIN taxonomy_category c ON c.id = %(category)s
LEFT JOIN taxonomy_release r ON r.id = %(release)s
""",
    {
        "now": "timestamptz", "lease": "bigint", "category": "bigint", "taxonomy": "bigint", "program": "bigint",
        "suggested": "bigint", "task": "bigint", "user": "integer", "release": "bigint", "time": "integer",
    },  # fmt: skip
)

DECIDE_DONE = Statement(
    "task_decide_done",
    "UPDATE annotation_task SET status = %s, agreement = %s, final_category_id = %s, final_program_id = %s,"
    " final_source = %s, final_release_id = %s, completed_at = %s WHERE id = %s",
    ["varchar", "jsonb", "bigint", "bigint", "varchar", "bigint", "timestamptz", "bigint"],
)
DECIDE_REVIEW = Statement(
    "task_decide_review",
    "UPDATE annotation_task SET status = %s, agreement = %s WHERE id = %s",
    ["varchar", "jsonb", "bigint"],
)


def _decide(task_id: int, fields: dict) -> None:
    """Store labels.decision_fields (what labels.task_decide stores through the ORM)."""
    agreement = json.dumps(fields["agreement"])
    if fields["status"] == TaskStatus.REVIEW:
        DECIDE_REVIEW.run([fields["status"], agreement, task_id])
        return
    DECIDE_DONE.run(
        [
            fields["status"], agreement, fields["final_category_id"], fields["final_program_id"],
            fields["final_source"], fields["final_release_id"], fields["completed_at"], task_id,
        ]  # fmt: skip
    )


@dataclass(frozen=True)
class FastLabel:
    """A label saved by the fast lane, with what its answer shows."""

    id: int
    task_id: int
    category: dict  # id, code, name, path
    program_id: int | None
    release_id: int | None
    release_version: str | None
    time_spent_ms: int
    suggestion_taken: bool
    created_at: datetime


def label_submit(
    *,
    lease_id: int,
    user,
    category_id: int,
    program_id: int | None = None,
    suggested_category_id: int | None = None,
    time_spent_ms: int = 0,
) -> FastLabel | None:
    """Save a label as labels.label_submit would, when the case is the common one: the caller's open lease
    on a task that is not gold, and a category, program and suggestion the reference accepts (no flag:
    the caller sends flags to the reference). Otherwise None, having changed nothing."""
    if not is_open():
        return None
    with transaction.atomic():
        task = SUBMIT_LOCK.row([lease_id, user.pk])
        if task is None:
            return None  # not theirs: the reference answers 404
        task_id, is_gold, required, taxonomy_id, release_id, lease_status, max_depth = task
        if is_gold or lease_status != "leased":
            return None  # a gold clip (training feedback), or already closed: the reference answers
        now = timezone.now()
        time_spent_ms = max(0, min(int(time_spent_ms), 24 * 3600 * 1000))
        row = SUBMIT_WRITE.row(
            {
                "now": now, "lease": lease_id, "category": category_id, "taxonomy": taxonomy_id,
                "program": program_id, "suggested": suggested_category_id, "task": task_id, "user": user.pk,
                "release": release_id, "time": time_spent_ms,
            }  # fmt: skip
        )
        if row is None:
            return None  # a category, program or suggestion the reference refuses with its message
        label_id, labels_count, code, name, path, version, codes, others = row
        if labels_count >= required:
            voted = [(c, p, tuple(path)) for c, p, path in others or []] + [(category_id, program_id, tuple(codes))]
            _decide(task_id, decision_fields(voted, max_depth=max_depth, release_id=release_id))
    return FastLabel(
        id=label_id,
        task_id=task_id,
        category={"id": category_id, "code": code, "name": name, "path": path},
        program_id=program_id,
        release_id=release_id,
        release_version=version,
        time_spent_ms=time_spent_ms,
        suggestion_taken=suggested_category_id is not None and suggested_category_id == category_id,
        created_at=now,
    )
