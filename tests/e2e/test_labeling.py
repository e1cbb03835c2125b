"""Labeling in the browser, keyboard only: an annotator labels three real (tiny) clips by type-ahead, by
browsing the levels and from the recently used list; a second annotator disagrees on one clip, loses the
network once without losing the label, and flags another; a reviewer resolves both with keys."""

from __future__ import annotations

import pytest
from django.core.files import File

from accounts.services import user_create_with_role
from annotation.choices import MemberRole, TaskStatus
from annotation.media.synth import moving_gradient, write_video
from annotation.models import Label
from annotation.services import clip_create, clip_process
from annotation.services.projects import project_create, project_member_set
from taxonomy import services as taxonomy_services
from taxonomy.models import Category

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def project(settings, tmp_path, users, small_taxonomy, editor):
    """Three ready clips (VP9 WebM, which every Chromium plays), overlap 2, two annotators and a reviewer."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLIPCAT_PROCESS_INLINE = False
    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    clips = []
    for i, title in enumerate(["Cup final, all the goals", "A cat on the sofa", "Derby highlights"]):
        path = write_video(
            tmp_path / f"clip{i}.webm",
            codec="libvpx-vp9",
            width=160,
            height=96,
            fps=10,
            seconds=3,
            picture=moving_gradient(160, 96, seed=i),
        )
        with open(path, "rb") as handle:
            clip = clip_create(file=File(handle, name=path.name), title=title, enqueue=False)
        clips.append(clip_process(clip_id=clip.pk))
    assert all(c.status == "ready" for c in clips)
    project = project_create(
        name="Keyboard round",
        taxonomy=small_taxonomy,
        release=release,
        actor=editor,
        clip_filter={"ids": [c.pk for c in clips]},
        overlap=2,
    )
    second = user_create_with_role(username="annotator2", password=PASSWORD, role="annotator")
    project_member_set(project=project, user=users["annotator"])
    project_member_set(project=project, user=second)
    project_member_set(project=project, user=users["reviewer"], role=MemberRole.REVIEWER)
    return project


def open_labeling(page, login, username, project):
    page.context.clear_cookies()
    login(username, PASSWORD)
    page.goto(f"/labeling/projects/{project.pk}/label/")
    page.wait_for_function("() => document.getElementById('clip-title').textContent !== 'Loading…'")


def wait_labeled(page, n: int) -> None:
    page.wait_for_function(f"() => document.getElementById('st-labeled').textContent === '{n}'")


def search_and_pick(page, query: str, expected: str) -> None:
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.wait_for_selector(f"#cat-results li.hl:has-text('{expected}')")
    page.keyboard.press("Enter")  # picks the highlighted result
    assert page.inner_text("#chosen .chosen-path") == expected


def test_annotators_label_by_keyboard_and_a_reviewer_resolves(page, login, shot, project, users):
    open_labeling(page, login, "annotator1", project)
    first = page.inner_text("#clip-title")
    assert first == "Derby highlights"  # tasks follow the clip list: newest first
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")  # the video loads
    page.keyboard.press("]")  # faster
    assert page.inner_text("#play-speed") == "1.25×"
    page.keyboard.press(".")  # one frame on (pauses)
    page.wait_for_function("() => document.getElementById('player').currentTime > 0")
    page.keyboard.press("?")
    assert page.is_visible("#help")
    page.keyboard.press("?")

    # 1: type-ahead over full paths, word prefixes ("foo hi"); the standard shows beside the picker
    page.keyboard.press("/")
    page.keyboard.type("foo hi")
    page.wait_for_selector("#cat-results li.hl:has-text('Match highlights')")
    page.wait_for_selector("#standard dd:has-text('Edited highlights of a match.')")
    shot("label-01-typeahead")
    page.keyboard.press("Enter")
    assert page.inner_text("#chosen .chosen-path") == "Sports > Football > Match highlights"
    page.keyboard.press("Enter")  # submit; the preloaded next clip shows
    page.wait_for_function(f"() => document.getElementById('clip-title').textContent !== {first!r}")
    wait_labeled(page, 1)

    # 2: browse by level with the arrow keys: Nature > Animals > Cats
    assert page.inner_text("#clip-title") == "A cat on the sofa"
    page.keyboard.press("b")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#browse .browse-col li.hl:text-is('Cats')")
    page.wait_for_selector("#standard .std-path:text-is('Nature > Animals > Cats')")
    shot("label-02-browse")
    page.keyboard.press("Enter")
    assert page.inner_text("#chosen .chosen-path") == "Nature > Animals > Cats"
    page.keyboard.press("Enter")
    wait_labeled(page, 2)

    # 3: recently used (most recent first: Cats, then Match highlights)
    assert page.inner_text("#clip-title") == "Cup final, all the goals"
    page.keyboard.press("/")
    page.wait_for_selector("#cat-results .list-title:text-is('Recently used')")
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#cat-results li.hl:has-text('Match highlights')")
    shot("label-03-recent")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done", state="visible")
    wait_labeled(page, 3)
    shot("label-04-done")

    labels = list(Label.objects.filter(annotator=users["annotator"]).select_related("category").order_by("id"))
    assert [label.category.code for label in labels] == ["match-highlights", "cats", "match-highlights"]
    assert all(label.release_id == project.release_id and label.time_spent_ms > 0 for label in labels)

    # the second annotator: the network fails once on submit; the label stays and goes on Enter
    open_labeling(page, login, "annotator2", project)
    search_and_pick(page, "match", "Sports > Football > Match highlights")
    page.route("**/submit/", lambda route: route.abort())
    page.keyboard.press("Enter")
    page.wait_for_selector("#lab-msg.error:has-text('Not saved')")
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('clipcat:pending:')).length") == 1
    assert page.inner_text("#chosen .chosen-path") == "Sports > Football > Match highlights"
    shot("label-05-network-error")
    page.unroute("**/submit/")
    page.keyboard.press("Enter")
    wait_labeled(page, 1)
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('clipcat:pending:')).length") == 0

    search_and_pick(page, "bask", "Sports > Basketball")  # disagrees on the cat clip
    page.keyboard.press("Enter")
    wait_labeled(page, 2)

    page.keyboard.press("f")  # flag: the standard is unclear here
    page.keyboard.type("Does a cup final count as a match?")
    page.keyboard.press("Enter")
    assert "Does a cup final count as a match?" in page.inner_text("#flag-state")
    search_and_pick(page, "match hi", "Sports > Football > Match highlights")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done", state="visible")

    cat_task = project.tasks.get(clip__title="A cat on the sofa")
    cup_task = project.tasks.get(clip__title="Cup final, all the goals")
    assert cat_task.status == TaskStatus.REVIEW and cup_task.status == TaskStatus.REVIEW
    assert project.tasks.get(clip__title="Derby highlights").status == TaskStatus.DONE

    # the reviewer: correct the disagreement (c, type, Enter picks, Enter sends), accept the flagged one (1)
    page.context.clear_cookies()
    login("reviewer1", PASSWORD)
    page.goto(f"/labeling/projects/{project.pk}/review/")
    page.wait_for_selector(f"article[data-task='{cat_task.pk}']", state="visible")
    assert "Nature > Animals > Cats" in page.inner_text(f"article[data-task='{cat_task.pk}']")
    shot("review-01-disagreement")
    page.keyboard.press("c")
    page.keyboard.type("cats")
    page.wait_for_selector("#cat-results li.hl:has-text('Cats')")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.wait_for_selector("#lab-msg:has-text('Corrected to Nature > Animals > Cats')")
    page.wait_for_selector(f"article[data-task='{cup_task.pk}']", state="visible")
    assert "Does a cup final count as a match?" in page.inner_text(f"article[data-task='{cup_task.pk}']")
    shot("review-02-flagged")
    page.keyboard.press("1")
    page.wait_for_selector("#review-done", state="visible")
    shot("review-03-done")

    cat_task.refresh_from_db()
    cup_task.refresh_from_db()
    assert cat_task.final_category == Category.objects.get(code="cats", taxonomy=project.taxonomy)
    assert (cat_task.status, cat_task.final_source, cat_task.final_decided_by) == ("done", "review", users["reviewer"])
    assert cup_task.final_category.code == "match-highlights" and cup_task.final_decided_by == users["reviewer"]
