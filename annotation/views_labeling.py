"""Labeling pages: the projects list, a project's page, the labeling page, the review page and the editors'
flags page. Thin: reads through selectors, writes through services; the labeling and review pages work
through the API from the browser. Refusals are 403s (pages) or messages (forms)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from taxonomy.models import Category, Taxonomy

from . import labeling_selectors as selectors
from .choices import LabelKind, TaskStatus
from .exports import labels_import_csv
from .forms_labeling import LabelsImportForm, MemberForm, ProjectCreateForm
from .models import Label, Program, Project, ProjectMember, Task
from .services import projects as project_services

MANAGE = "annotation.manage_project"


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(msg for msgs in exc.message_dict.values() for msg in msgs)
    return "; ".join(exc.messages)


def _form_errors(form) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in form.errors.items())


def _project_for(request, pk: int) -> tuple[Project, ProjectMember | None]:
    """The project if the person is a member of it (or manages projects); 403 otherwise."""
    project = get_object_or_404(Project.objects.select_related("taxonomy", "release"), pk=pk)
    member = ProjectMember.objects.filter(project=project, user=request.user).first()
    if member is None and not request.user.has_perm(MANAGE):
        raise PermissionDenied("You are not a member of this project.")
    return project, member


@login_required
@require_http_methods(["GET", "POST"])
def project_index(request):
    """The projects I am in (managers: all), their progress and my counts; managers create projects here."""
    can_manage = request.user.has_perm(MANAGE)
    form = ProjectCreateForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Your role does not allow creating projects.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = project_services.project_create(
                    name=data["name"],
                    taxonomy=data["taxonomy"],
                    release=data["release"],
                    actor=request.user,
                    instructions=data["instructions"],
                    clip_filter=form.clip_filter(),
                    overlap=data["overlap"],
                    queue_order=data["queue_order"],
                    gold_share=data["gold_share"],
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, f"Created {project.name} with {project.tasks.count()} clips.")
                return redirect("labeling:project", pk=project.pk)
        else:
            messages.error(request, _form_errors(form))
    projects = list(
        selectors.projects_for_user(request.user)
        .select_related("taxonomy", "release")
        .annotate(
            task_count=Count("tasks", filter=Q(tasks__is_gold=False), distinct=True),
            done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE, tasks__is_gold=False), distinct=True),
            review_count=Count("tasks", filter=Q(tasks__status=TaskStatus.REVIEW, tasks__is_gold=False), distinct=True),
        )
        .order_by("-is_active", "name")
    )
    mine = dict(
        Label.objects.filter(annotator=request.user, kind=LabelKind.LABEL, supersedes__isnull=True)
        .values_list("task__project")
        .annotate(n=Count("id"))
    )
    roles = dict(ProjectMember.objects.filter(user=request.user).values_list("project_id", "role"))
    for project in projects:
        project.my_labels = mine.get(project.pk, 0)
        project.my_role = roles.get(project.pk, "")
        project.percent = round(100 * project.done_count / project.task_count) if project.task_count else 0
    return render(
        request,
        "labeling/index.html",
        {"projects": projects, "form": form, "can_label": request.user.has_perm("annotation.add_label")},
    )


def _scope_text(project: Project) -> list[str]:
    """The project's clip filter in words."""
    f = project.clip_filter or {}
    parts = []
    if f.get("program"):
        program = Program.objects.filter(pk=f["program"]).first()
        parts.append(f"program: {program.title if program else f['program']}")
    if f.get("tags"):
        parts.append("tags: " + ", ".join(str(t) for t in f["tags"]))
    if f.get("search"):
        parts.append(f"search: {f['search']}")
    if f.get("ids"):
        parts.append(f"{len(f['ids'])} chosen clips")
    return parts


def _migration_reports(project: Project) -> list[dict]:
    """Each label migration with "what moved where": (action, from path, to path) -> how many labels."""
    migrations = list(project.label_migrations.select_related("from_release", "to_release"))
    codes = {d[key] for m in migrations for d in m.details for key in ("from", "to") if d.get(key)}
    paths = dict(Category.objects.filter(taxonomy=project.taxonomy, code__in=codes).values_list("code", "path"))
    reports = []
    for m in migrations:
        moves = Counter((d["action"], d["from"], d.get("to")) for d in m.details)
        rows = [
            {
                "action": action,
                "from": paths.get(old, old),
                "to": paths.get(new, new) if new else "",
                "labels": n,
            }
            for (action, old, new), n in sorted(moves.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
        ]
        reports.append({"migration": m, "rows": rows, "counts": sorted(m.counts.items())})
    return reports


@login_required
def project_detail(request, pk: int):
    project, member = _project_for(request, pk)
    can_manage = request.user.has_perm(MANAGE)
    stats = selectors.project_stats(project=project)
    stats["done_percent"] = round(100 * stats["by_status"]["done"] / stats["tasks"]) if stats["tasks"] else 0
    return render(
        request,
        "labeling/project.html",
        {
            "project": project,
            "member": member,
            "can_manage": can_manage,
            "can_label": member is not None and request.user.has_perm("annotation.add_label"),
            "can_review": request.user.has_perm("annotation.review_task"),
            "stats": stats,
            "me": selectors.annotator_stats(project=project, user=request.user) if member else None,
            "members": project.members.select_related("user").order_by("role", "user__username"),
            "member_form": MemberForm() if can_manage else None,
            "import_form": LabelsImportForm() if can_manage else None,
            "reports": _migration_reports(project),
            "scope": _scope_text(project),
            "gold": project.tasks.filter(is_gold=True).count(),
            "export_url": reverse("annotation-api:project-export", kwargs={"pk": project.pk}),
        },
    )


def _managed_project(request, pk: int) -> Project:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied("Your role does not allow managing projects.")
    return get_object_or_404(Project, pk=pk)


@login_required
@require_POST
def project_member_add(request, pk: int):
    project = _managed_project(request, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = project_services.project_member_set(
                project=project, user=data["username"], role=data["role"], training_mode=data["training_mode"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            mode = " in training mode" if member.training_mode else ""
            messages.success(request, f"{member.user.username} is now {member.get_role_display().lower()}{mode}.")
    else:
        messages.error(request, _form_errors(form))
    return redirect("labeling:project", pk=project.pk)


@login_required
@require_POST
def project_sync(request, pk: int):
    project = _managed_project(request, pk)
    added = project_services.project_sync_tasks(project=project)
    messages.success(request, f"Added {added} clip{'s' if added != 1 else ''} that entered the project's scope.")
    return redirect("labeling:project", pk=project.pk)


@login_required
@require_POST
def project_import(request, pk: int):
    project = _managed_project(request, pk)
    form = LabelsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            result = labels_import_csv(project=project, data=form.cleaned_data["file"].read(), actor=request.user)
        except ValidationError as exc:
            messages.error(request, "Nothing was imported:\n" + "\n".join(exc.messages))
        else:
            messages.success(request, f"Imported {result['imported']} final labels.")
    return redirect("labeling:project", pk=project.pk)


@login_required
def label_page(request, pk: int):
    """The labeling page: everything happens in static/js/labeling.js through the API."""
    project, member = _project_for(request, pk)
    if not request.user.has_perm("annotation.add_label"):
        raise PermissionDenied("Your role does not allow labeling.")
    return render(
        request,
        "labeling/label.html",
        {"project": project, "member": member, "can_review": request.user.has_perm("annotation.review_task")},
    )


@login_required
def review_page(request, pk: int):
    """Tasks in review (disagreements and flags) with their labels; decisions go through the API."""
    project, _ = _project_for(request, pk)
    if not request.user.has_perm("annotation.review_task"):
        raise PermissionDenied("Your role does not allow reviewing.")
    tasks = list(
        Task.objects.filter(project=project, status=TaskStatus.REVIEW).select_related("clip").order_by("id")[:200]
    )
    labels = defaultdict(list)
    for label in (
        Label.objects.filter(task__in=tasks, is_current=True)
        .select_related("annotator", "category", "program")
        .order_by("created_at")
    ):
        labels[label.task_id].append(label)
    for task in tasks:
        task.current_labels = labels[task.pk]
        task.has_flag = any(label.flagged for label in task.current_labels)
    flagged = (
        Label.objects.filter(task__project=project, flagged=True, is_current=True)
        .select_related("annotator", "category", "task__clip")
        .order_by("-created_at")[:50]
    )
    return render(request, "labeling/review.html", {"project": project, "tasks": tasks, "flagged": flagged})


@login_required
def flags_page(request):
    """For editors: flagged labels ("the standard is unclear here") grouped by category, with comments."""
    user = request.user
    if not (user.has_perm("taxonomy.add_standardrevision") or user.has_perm("annotation.review_task")):
        raise PermissionDenied("Flags are for taxonomy editors and reviewers.")
    taxonomies = Taxonomy.objects.order_by("name")
    taxonomy = None
    raw = request.GET.get("taxonomy", "")
    if raw.isdigit():
        taxonomy = get_object_or_404(Taxonomy, pk=int(raw))
    elif taxonomies:
        taxonomy = taxonomies[0]
    groups: dict = {}
    if taxonomy is not None:
        labels = (
            Label.objects.filter(
                flagged=True,
                is_current=True,
                category__taxonomy=taxonomy,
                task__project__in=selectors.projects_for_user(user),
            )
            .select_related("annotator", "category", "task__project", "task__clip")
            .order_by("category__path", "-created_at")[:1000]
        )
        for label in labels:
            groups.setdefault(label.category, []).append(label)
    return render(
        request,
        "labeling/flags.html",
        {"taxonomy": taxonomy, "taxonomies": taxonomies, "groups": sorted(groups.items(), key=lambda g: -len(g[1]))},
    )
