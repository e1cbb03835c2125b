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
from annotation.services.projects import project_create, project_member_set, task_gold_set
from taxonomy import services as taxonomy_services
from taxonomy.models import Category

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def ready_clips(tmp_path, titles: list[str]) -> list:
    """Real tiny clips (VP9 WebM, which every Chromium plays), processed on the spot."""
    clips = []
    for i, title in enumerate(titles):
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
    return clips


@pytest.fixture
def release(settings, tmp_path, small_taxonomy, editor):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLIPCAT_PROCESS_INLINE = False
    return taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)


@pytest.fixture
def project(tmp_path, users, small_taxonomy, editor, release):
    """Three clips, overlap 2, two annotators and a reviewer."""
    clips = ready_clips(tmp_path, ["Cup final, all the goals", "A cat on the sofa", "Derby highlights"])
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


def wait_moved_on(page, title: str) -> None:
    """The next clip is on screen, or the page says nothing is left."""
    page.wait_for_function(
        f"() => document.getElementById('clip-title').textContent !== {title!r}"
        " || !document.getElementById('done').hidden"
    )


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


def suggest(page, cats: dict, scores, *, preselect: bool) -> None:
    """Put a model suggestion (the top categories with their confidence) into every "next" answer, as the
    classifier fills it."""
    top = [
        {"category": {"id": cats[code].pk, "code": code, "path": cats[code].path}, "confidence": conf}
        for code, conf in scores
    ]

    def with_suggestion(route):
        response = route.fetch()
        if response.status != 200:
            return route.fulfill(response=response)
        body = response.json()
        body["suggestion"] = {"model_version": 1, "top": top, "preselect": preselect, "open_set_score": 0.5}
        route.fulfill(response=response, json=body)

    page.route("**/next/", with_suggestion)


def test_suggestion_training_feedback_and_skip(page, login, shot, tmp_path, users, small_taxonomy, editor, release):
    """The model's top 3 on number keys (injected into the queue's answer, as the classifier will fill it),
    the gold answer and its standard after a gold clip in training mode, and a skip with its reason."""
    clips = ready_clips(tmp_path, ["Gold: a match", "Something odd"])
    project = project_create(
        name="Training round",
        taxonomy=small_taxonomy,
        release=release,
        actor=editor,
        clip_filter={"ids": [c.pk for c in clips]},
        gold_share=0.5,
    )
    project_member_set(project=project, user=users["annotator"], training_mode=True)
    cats = {c.code: c for c in Category.objects.filter(taxonomy=small_taxonomy)}
    task_gold_set(task=project.tasks.get(clip__title="Gold: a match"), category=cats["match-highlights"])
    suggest(page, cats, (("training", 0.61), ("match-highlights", 0.3), ("cats", 0.09)), preselect=True)
    open_labeling(page, login, "annotator1", project)
    for _ in clips:  # the queue mixes the gold clip in at random: take them in the order they come
        title = page.inner_text("#clip-title")
        if title == "Something odd":
            page.keyboard.press("s")
            page.keyboard.type("Black screen")
            page.keyboard.press("Enter")
            wait_moved_on(page, title)
            continue
        page.wait_for_selector("#suggestion li:has-text('61%')")
        assert page.inner_text("#chosen .chosen-path") == "Sports > Football > Training"  # pre-selected
        page.keyboard.press("3")
        assert page.inner_text("#chosen .chosen-path") == "Nature > Animals > Cats"
        page.keyboard.press("1")
        shot("label-06-suggestion")
        page.keyboard.press("Enter")  # wrong on a gold clip: the answer and its standard show
        page.wait_for_selector("#feedback h2.bad")
        assert "Sports > Football > Match highlights" in page.inner_text("#feedback")
        assert "Edited highlights of a match." in page.inner_text("#feedback")
        shot("label-07-training-feedback")
        page.keyboard.press("Enter")
        wait_moved_on(page, title)
    page.wait_for_selector("#done", state="visible")
    page.unroute_all(behavior="ignoreErrors")

    gold_label = Label.objects.get(task__clip__title="Gold: a match")
    assert gold_label.category == cats["training"] and gold_label.suggestion_taken
    assert gold_label.suggested_category == cats["training"]
    skip = Label.objects.get(task__clip__title="Something odd")
    assert (skip.kind, skip.skip_reason) == ("skip", "Black screen")


def test_leases_renew_while_open_and_an_unsent_label_is_sent_on_the_next_visit(page, login, project, users):
    """The page renews its leases every minute (the clock is driven here); a label that could not be sent
    when the browser went away stays in localStorage and is saved when the annotator comes back."""
    from annotation.models import Assignment

    answered = []  # URLs of the API answers the page got (the faked clock hides resource timings)
    page.on("response", lambda response: answered.append(response.url))

    def wait_answers(suffix: str, n: int) -> None:
        for _ in range(100):
            if sum(url.endswith(suffix) for url in answered) >= n:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"fewer than {n} answers to {suffix}: {answered}")

    page.clock.install()
    open_labeling(page, login, "annotator1", project)
    title = page.inner_text("#clip-title")
    wait_answers("/next/", 2)  # the clip on screen and the preloaded next one
    held = Assignment.objects.filter(annotator=users["annotator"], status="leased")
    assert held.count() == 2
    before = {a.pk: a.expires_at for a in held}
    Assignment.objects.filter(pk__in=before).update(expires_at=min(before.values()))
    page.clock.run_for(61_000)  # the renewal timer fires
    wait_answers("/renew/", 2)
    renewed = {a.pk: a.expires_at for a in Assignment.objects.filter(pk__in=before)}
    assert all(renewed[pk] > min(before.values()) for pk in before), (before, renewed)

    # the network is gone when Enter is pressed; the tab is then closed and opened again later
    search_and_pick(page, "match", "Sports > Football > Match highlights")
    page.route("**/submit/", lambda route: route.abort())
    page.keyboard.press("Enter")
    page.wait_for_selector("#lab-msg.error:has-text('Not saved')")
    assert not Label.objects.filter(annotator=users["annotator"]).exists()
    page.unroute("**/submit/")
    page.goto("/")  # left the page with the label unsent
    page.goto(f"/labeling/projects/{project.pk}/label/")
    wait_labeled(page, 1)  # the page sends what was left before it asks for a clip
    label = Label.objects.get(annotator=users["annotator"])
    assert (label.task.clip.title, label.category.code) == (title, "match-highlights")
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('clipcat:pending:')).length") == 0


def test_an_unsure_suggestion_is_shown_but_not_chosen(
    page, login, shot, tmp_path, users, small_taxonomy, editor, release
):
    """preselect false (not confident, or none of the categories): the top 3 show, nothing is chosen, Enter
    saves nothing until a person picks one."""
    clips = ready_clips(tmp_path, ["Unsure clip"])
    project = project_create(
        name="Unsure",
        taxonomy=small_taxonomy,
        release=release,
        actor=editor,
        clip_filter={"ids": [c.pk for c in clips]},
    )
    project_member_set(project=project, user=users["annotator"])
    cats = {c.code: c for c in Category.objects.filter(taxonomy=small_taxonomy)}
    suggest(page, cats, (("cats", 0.34), ("training", 0.33), ("basketball", 0.2)), preselect=False)
    open_labeling(page, login, "annotator1", project)
    page.wait_for_selector("#suggestion li:has-text('34%')")
    assert "Nothing pre-selected" in page.inner_text("#suggestion")
    assert not page.is_visible("#chosen .chosen-path") or not page.inner_text("#chosen .chosen-path").strip()
    shot("label-08-unsure-suggestion")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Choose a category first")
    assert not Label.objects.filter(task__project=project).exists()
    page.keyboard.press("1")
    assert page.inner_text("#chosen .chosen-path") == "Nature > Animals > Cats"
    page.keyboard.press("Enter")
    page.wait_for_selector("#done", state="visible")
    page.unroute_all(behavior="ignoreErrors")
    label = Label.objects.get(task__project=project)
    assert label.category == cats["cats"] and label.suggestion_taken
