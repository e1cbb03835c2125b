"""Publishing a release carries labels forward (merge, rename, move) or sends clips to re-labeling (split,
deprecate); nothing is dropped and a report says what went where."""

from annotation.choices import TaskStatus
from annotation.models import Label, LabelMigration, Task
from annotation.services.labels import label_submit
from annotation.services.queue import task_next_for_annotator
from taxonomy import services


def label_each(project, user, codes, cat):
    for code in codes:
        assignment = task_next_for_annotator(project=project, user=user)
        label_submit(assignment=assignment, user=user, category=cat(code))


def test_merge_rename_carry_labels_and_split_sends_to_relabel(make_project, annotators, cat, editor):
    project = make_project(n_clips=4, overlap=1)
    first_release = project.release
    label_each(project, annotators[0], ["training", "cats", "basketball", "match-highlights"], cat)
    assert Label.objects.filter(is_current=True).count() == 4

    services.category_merge(source=cat("training"), target=cat("match-highlights"), actor=editor)
    services.category_rename(category=cat("basketball"), name="Hoops", actor=editor)
    services.category_split(category=cat("cats"), parts=["House cats", "Big cats"], actor=editor)
    release = services.release_publish(taxonomy=project.taxonomy, actor=editor)
    project.refresh_from_db()
    assert project.release == release

    current = {label.supersedes.category.code: label for label in Label.objects.filter(is_current=True)}
    assert current["training"].category == cat("match-highlights") and current["training"].release == release
    assert current["basketball"].category == cat("basketball")  # renamed: same category, new release
    assert "cats" not in current  # split: not guessed
    old = Label.objects.get(category=cat("cats"))
    assert not old.is_current and old.release == first_release  # kept, with its release
    assert Label.objects.count() == 4 + 3  # nothing deleted

    relabel = Task.objects.get(relabel_reason__startswith="re-label")
    assert (relabel.status, relabel.relabel_reason, relabel.labels_count) == (
        TaskStatus.OPEN,
        "re-label: category split",
        0,
    )
    merged_task = Task.objects.get(clip=current["training"].task.clip)
    assert merged_task.final_category == cat("match-highlights")

    report = LabelMigration.objects.get(project=project)
    assert (report.carried, report.relabel_tasks) == (3, 1)
    assert report.counts == {"merged": 1, "renamed": 1, "kept": 1}
    moves = {(d["from"], d["to"]) for d in report.details}
    assert ("training", "match-highlights") in moves and ("cats", None) in moves

    # the annotator who labeled it before may label it again under the new release
    again = task_next_for_annotator(project=project, user=annotators[0])
    assert again.task_id == relabel.pk
    label_submit(assignment=again, user=annotators[0], category=cat("house-cats"))
    relabel.refresh_from_db()
    assert relabel.status == TaskStatus.DONE and relabel.final_category == cat("house-cats")
