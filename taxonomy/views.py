"""Pages of the taxonomy editor. Thin: read through selectors, write through services, report errors as
messages so a person sees why an edit was refused."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import CategoryAddForm, ImportForm, StandardForm, TaxonomyForm
from .io import TaxonomyImportError, parse_taxonomy_file, taxonomy_import
from .models import Category, Release, Taxonomy
from .textdiff import diff_standards


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{msg}" for msgs in exc.message_dict.values() for msg in msgs)
    return "; ".join(exc.messages)


@login_required
def taxonomy_list(request):
    if request.method == "POST":
        if not request.user.has_perm("taxonomy.add_taxonomy"):
            messages.error(request, "Your role does not allow creating taxonomies.")
            return redirect("taxonomy:list")
        form = TaxonomyForm(request.POST)
        if form.is_valid():
            try:
                taxonomy = services.taxonomy_create(actor=request.user, **form.cleaned_data)
                return redirect("taxonomy:detail", pk=taxonomy.pk)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
    taxonomies = Taxonomy.objects.annotate(category_count=Count("categories")).order_by("name")
    return render(
        request,
        "taxonomy/list.html",
        {
            "taxonomies": taxonomies,
            "form": TaxonomyForm(),
            "import_form": ImportForm(),
        },
    )


@login_required
@permission_required("taxonomy.import_taxonomy", raise_exception=True)
@require_POST
def taxonomy_import_page(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to import.")
        return redirect("taxonomy:list")
    upload = form.cleaned_data["file"]
    try:
        result = taxonomy_import(
            parsed=parse_taxonomy_file(upload.read()),
            name=form.cleaned_data["name"] or upload.name.rsplit(".", 1)[0],
            max_depth=form.cleaned_data["max_depth"],
            fold_deeper=form.cleaned_data["fold_deeper"],
            actor=request.user,
        )
    except (TaxonomyImportError, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, TaxonomyImportError) else _error_text(exc))
        return redirect("taxonomy:list")
    messages.success(
        request,
        f"Imported {result.created} categories" + (f", folded {result.folded} deeper ones." if result.folded else "."),
    )
    return redirect("taxonomy:detail", pk=result.taxonomy.pk)


@login_required
def taxonomy_detail(request, pk: int):
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("taxonomy.add_category"):
            messages.error(request, "Your role does not allow adding categories.")
            return redirect("taxonomy:detail", pk=pk)
        form = CategoryAddForm(request.POST, taxonomy=taxonomy)
        if form.is_valid():
            try:
                category = services.category_add(
                    taxonomy=taxonomy,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    code=form.cleaned_data["code"] or None,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, f"Added {category.path}.")
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        return redirect("taxonomy:detail", pk=pk)
    return render(
        request,
        "taxonomy/detail.html",
        {
            "taxonomy": taxonomy,
            "latest": selectors.release_latest(taxonomy),
            "events": taxonomy.audit_events.select_related("actor")[:8],
            "can_edit": request.user.has_perm("taxonomy.change_category"),
            "can_publish": request.user.has_perm("taxonomy.add_release"),
            "roots": taxonomy.categories.filter(parent=None).count(),
        },
    )


@login_required
@require_POST
def taxonomy_publish(request, pk: int):
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    if not request.user.has_perm("taxonomy.add_release"):
        messages.error(request, "Your role does not allow publishing releases.")
        return redirect("taxonomy:detail", pk=pk)
    try:
        release = services.release_publish(taxonomy=taxonomy, actor=request.user, notes=request.POST.get("notes", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("taxonomy:detail", pk=pk)
    messages.success(request, f"Published release {release.version}.")
    return redirect("taxonomy:release", pk=release.pk)


@login_required
def category_detail(request, pk: int):
    category = get_object_or_404(Category.objects.select_related("taxonomy", "parent", "replaced_by"), pk=pk)
    revisions = list(category.revisions.select_related("author"))
    current = revisions[0] if revisions else None
    diff = None
    if revisions:
        numbers = [r.number for r in revisions]
        try:
            to_n = int(request.GET.get("to", numbers[0]))
            from_n = int(request.GET.get("from", to_n - 1))
        except ValueError:
            to_n, from_n = numbers[0], numbers[0] - 1
        by_n = {r.number: r for r in revisions}
        if to_n in by_n:
            diff = {
                "from": from_n,
                "to": to_n,
                "fields": diff_standards(by_n[from_n].content() if from_n in by_n else None, by_n[to_n].content()),
            }
    initial = current.content() if current else {}
    if current:
        initial["examples"] = StandardForm.examples_text(current.examples)
    return render(
        request,
        "taxonomy/category.html",
        {
            "category": category,
            "taxonomy": category.taxonomy,
            "ancestors": category.get_ancestors(),
            "children": category.get_children(),
            "current": current,
            "revisions": revisions,
            "diff": diff,
            "standard_form": StandardForm(initial=initial),
            "split_into": category.split_into.all(),
            "events": category.audit_events.select_related("actor")[:20],
            "can_edit": request.user.has_perm("taxonomy.change_category"),
            "can_edit_standard": request.user.has_perm("taxonomy.add_standardrevision"),
        },
    )


def _category_ref(taxonomy: Taxonomy, value: str) -> Category | None:
    """A category picked in a form: by id, or by code."""
    value = (value or "").strip()
    if not value:
        return None
    qs = Category.objects.filter(taxonomy=taxonomy)
    found = qs.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or qs.filter(code=value).first()
    if found is None:
        raise ValidationError(f"No category {value!r} in this taxonomy.")
    return found


@login_required
@require_POST
def category_edit(request, pk: int, op: str):
    category = get_object_or_404(Category.objects.select_related("taxonomy"), pk=pk)
    if not request.user.has_perm("taxonomy.change_category"):
        messages.error(request, "Your role does not allow editing the taxonomy.")
        return redirect("taxonomy:category", pk=pk)
    data, reason, actor = request.POST, request.POST.get("reason", ""), request.user
    try:
        if op == "rename":
            services.category_rename(category=category, name=data.get("name", ""), actor=actor, reason=reason)
        elif op == "move":
            services.category_move(
                category=category,
                new_parent=_category_ref(category.taxonomy, data.get("parent")),
                actor=actor,
                reason=reason,
            )
        elif op == "merge":
            target = _category_ref(category.taxonomy, data.get("target"))
            if target is None:
                raise ValidationError("Pick the category to merge into.")
            services.category_merge(source=category, target=target, actor=actor, reason=reason)
        elif op == "split":
            parts = [line.strip() for line in data.get("parts", "").splitlines() if line.strip()]
            services.category_split(category=category, parts=parts, actor=actor, reason=reason)
        elif op == "deprecate":
            services.category_deprecate(category=category, actor=actor, reason=reason)
        elif op == "restore":
            services.category_restore(category=category, actor=actor, reason=reason)
        else:
            messages.error(request, f"Unknown edit {op!r}.")
            return redirect("taxonomy:category", pk=pk)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("taxonomy:category", pk=pk)
    messages.success(request, f"{op.capitalize()}: done.")
    return redirect("taxonomy:category", pk=pk)


@login_required
@require_POST
def standard_edit(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    if not request.user.has_perm("taxonomy.add_standardrevision"):
        messages.error(request, "Your role does not allow editing standards.")
        return redirect("taxonomy:category", pk=pk)
    form = StandardForm(request.POST)
    if form.is_valid():
        try:
            revision = services.standard_revise(category=category, actor=request.user, **form.cleaned_data)
            messages.success(request, f"Saved revision {revision.number}.")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return redirect("taxonomy:category", pk=pk)


@login_required
def release_list(request, pk: int):
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    return render(
        request,
        "taxonomy/releases.html",
        {
            "taxonomy": taxonomy,
            "releases": taxonomy.releases.select_related("published_by"),
        },
    )


@login_required
def release_detail(request, pk: int):
    release = get_object_or_404(Release.objects.select_related("taxonomy", "previous", "published_by"), pk=pk)
    others = release.taxonomy.releases.exclude(pk=release.pk)
    against = others.filter(pk=request.GET.get("against")).first() if request.GET.get("against", "").isdigit() else None
    against = against or release.previous
    changes = (
        selectors.release_diff(against, release)
        if against
        else [
            m
            for m in release.mappings.values(
                "code", "action", "old_path", "new_path", "target_codes", "renamed", "moved", "standard_changed"
            )
        ]
    )
    return render(
        request,
        "taxonomy/release.html",
        {
            "release": release,
            "taxonomy": release.taxonomy,
            "against": against,
            "others": others,
            "changes": changes,
        },
    )


@login_required
def audit_log(request, pk: int):
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    page = Paginator(taxonomy.audit_events.select_related("actor", "category"), 50).get_page(request.GET.get("page"))
    return render(request, "taxonomy/audit.html", {"taxonomy": taxonomy, "page": page})
