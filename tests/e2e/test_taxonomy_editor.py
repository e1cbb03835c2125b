"""An editor keeps the tree and its standards in the browser: search, add, drag to move, write a standard
and see the diff, merge, publish a release and read its diff. An annotator sees no edit controls."""

import pytest

from taxonomy.models import Category, Release

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def test_editor_workflow(page, login, shot, users, small_taxonomy):
    login("editor1", PASSWORD)
    page.goto(f"/taxonomy/{small_taxonomy.pk}/")
    page.wait_for_selector("#tree li[data-id]")
    shot("01-tree")
    assert page.locator("#tree > li > .node a").all_inner_texts() == ["Nature", "Sports"]

    # type-ahead over full paths, keyboard only
    page.fill("#search", "foot match")
    page.wait_for_selector("#search-results li")
    assert page.locator("#search-results li").first.inner_text() == "Sports > Football > Match highlights"
    page.keyboard.press("Enter")
    page.wait_for_url("**/taxonomy/categories/*/")
    assert "Match highlights" in page.inner_text("#category-name")

    # write a new revision of the standard and read the diff
    page.click("summary:has-text('Edit the standard')")
    page.fill("#standard-form textarea[name=definition]", "Edited highlights of a professional match.")
    page.fill("#standard-form input[name=change_note]", "Professional only")
    page.click("#standard-form button")
    page.wait_for_selector(".messages li.success")
    shot("02-standard-diff")
    assert page.inner_text("#standard-diff ins") == "professional "
    assert "r2" in page.inner_text("h2:has-text('Labeling standard')")

    # add a category under Animals with the parent picker
    page.goto(f"/taxonomy/{small_taxonomy.pk}/")
    page.fill("input[name=name]", "Dogs")
    page.fill("#parent-pick", "animals")
    page.wait_for_selector(".suggest li:has-text('Nature > Animals')")
    page.keyboard.press("Enter")
    page.click("button:has-text('Add')")
    page.wait_for_selector(".messages li.success")
    assert Category.objects.get(name="Dogs").path == "Nature > Animals > Dogs"

    # drag Basketball onto Nature: the subtree moves through the API and the tree reloads
    page.wait_for_selector("#tree li[data-id]")
    basketball = Category.objects.get(code="basketball")
    page.click("#tree > li:has(> .node a:text-is('Sports')) > .node .toggle")
    page.drag_and_drop(
        f"#tree li[data-id='{basketball.pk}'] > .node", "#tree > li:has(> .node a:text-is('Nature')) > .node"
    )
    page.wait_for_function(
        "() => document.querySelector('#tree > li .node a') && "
        "[...document.querySelectorAll('#tree > li > .node .count')].map(e => e.textContent).join() === '4,3'"
    )
    basketball.refresh_from_db()
    assert basketball.path == "Nature > Basketball"

    # merge Training into Match highlights from the category page
    training = Category.objects.get(code="training")
    page.goto(f"/taxonomy/categories/{training.pk}/")
    page.fill("input.pick[data-target=merge-target]", "highlights")
    page.wait_for_selector(".suggest li:has-text('Match highlights')")
    page.keyboard.press("Enter")
    page.fill("form[action$='/merge/'] input[name=reason]", "Too few clips")
    page.click("form[action$='/merge/'] button")
    page.wait_for_selector(".messages li.success")
    assert "Merged into" in page.inner_text("main")

    # publish and read the release diff
    page.goto(f"/taxonomy/{small_taxonomy.pk}/")
    page.click("#publish")
    page.wait_for_url("**/taxonomy/releases/*/")
    shot("03-release")
    assert Release.objects.get().version == "1.0"
    page.goto(f"/taxonomy/categories/{Category.objects.get(code='cats').pk}/")
    page.fill("form[action$='/rename/'] input[name=name]", "Felines")
    page.click("form[action$='/rename/'] button")
    page.goto(f"/taxonomy/{small_taxonomy.pk}/")
    page.click("#publish")
    page.wait_for_url("**/taxonomy/releases/*/")
    rows = page.locator("#release-diff tbody tr").all_inner_texts()
    assert any("cats" in r and "renamed" in r and "Felines" in r for r in rows), rows
    assert Release.objects.order_by("-id").first().version == "1.1"

    page.goto(f"/taxonomy/{small_taxonomy.pk}/audit/")
    shot("04-audit")
    assert "Merged Sports > Football > Training into" in page.inner_text("main")


def test_annotator_sees_no_edit_controls(page, login, users, small_taxonomy):
    login("annotator1", PASSWORD)
    page.goto(f"/taxonomy/{small_taxonomy.pk}/")
    page.wait_for_selector("#tree li[data-id]")
    assert page.locator("#publish").count() == 0
    assert page.locator("input[name=name]").count() == 0
    page.goto(f"/taxonomy/categories/{Category.objects.get(code='cats').pk}/")
    assert page.locator("form[action$='/rename/']").count() == 0
    assert page.locator("#standard-form").count() == 0
