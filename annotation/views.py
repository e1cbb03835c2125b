"""Pages for clips and programs. Thin: reads through selectors, writes through services, errors shown as
messages so a person sees why something was refused."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .choices import ClipStatus
from .filtersets import ClipFilterSet
from .forms import ClipMetadataForm, ProgramForm
from .models import Program
from .services.storage import human_bytes
from .streaming import ranged_file_response


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(msg for msgs in exc.message_dict.values() for msg in msgs)
    return "; ".join(exc.messages)


def _page(request, queryset, per_page: int = 24):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def clip_list(request):
    clips = selectors.clip_list(request.user)
    filterset = ClipFilterSet(request.GET, queryset=clips)
    return render(
        request,
        "annotation/clip_list.html",
        {
            "page": _page(request, filterset.qs),
            "filters": filterset.form.cleaned_data if filterset.is_valid() else {},
            "statuses": ClipStatus.choices,
            "programs": Program.objects.order_by("title"),
            "counts": selectors.clip_status_counts(clips),
            "query": _query_without_page(request),
        },
    )


@login_required
@permission_required("annotation.add_clip", raise_exception=True)
def clip_upload(request):
    return render(
        request,
        "annotation/clip_upload.html",
        {
            "programs": Program.objects.order_by("title"),
            "max_upload": human_bytes(settings.CLIPCAT_MAX_UPLOAD_BYTES),
            "max_upload_bytes": settings.CLIPCAT_MAX_UPLOAD_BYTES,
            "max_minutes": settings.CLIPCAT_MAX_DURATION_SECONDS // 60,
            "extensions": settings.CLIPCAT_VIDEO_EXTENSIONS,
        },
    )


def _visible_clip(request, pk: int):
    return get_object_or_404(selectors.clip_list(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def clip_detail(request, pk: int):
    clip = _visible_clip(request, pk)
    if request.method == "POST":
        if not request.user.has_perm("annotation.change_clip"):
            raise PermissionDenied
        form = ClipMetadataForm(request.POST)
        if form.is_valid():
            try:
                services.clip_update(clip=clip, **form.cleaned_data)
                messages.success(request, "Saved.")
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        else:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("annotation:clip-detail", pk=pk)
    tags = ", ".join(t.name for t in clip.tags.all())
    form = ClipMetadataForm(
        initial={"title": clip.title, "description": clip.description, "tags": tags, "program": clip.program_id}
    )
    return render(
        request,
        "annotation/clip_detail.html",
        {
            "clip": clip,
            "form": form,
            "tags": tags,
            "urls": {kind: selectors.clip_media_url(clip, kind) for kind in selectors.MEDIA_KINDS},
            "busy": clip.status in (ClipStatus.PENDING, ClipStatus.PROCESSING),
        },
    )


@login_required
@permission_required("annotation.change_clip", raise_exception=True)
@require_POST
def clip_reprocess(request, pk: int):
    try:
        services.clip_reprocess(clip=_visible_clip(request, pk))
        messages.success(request, "Queued for processing.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("annotation:clip-detail", pk=pk)


@require_http_methods(["GET", "HEAD"])
def clip_media(request, pk: int, kind: str):
    """The clip's video (with Range support for seeking) or one of its derived files, for people who may
    see the clip: 403 without a role that reads clips, 404 for a clip they cannot see."""
    if kind not in selectors.MEDIA_KINDS:
        raise Http404("No such media.")
    if not request.user.is_authenticated or not request.user.has_perm("annotation.view_clip"):
        raise PermissionDenied
    clip = _visible_clip(request, pk)
    field = clip.file if kind == "video" else getattr(clip, kind)
    if not field or not default_storage.exists(field.name):
        raise Http404("This clip has no such media (yet).")
    return ranged_file_response(request, default_storage, field.name)


@login_required
@require_http_methods(["GET", "POST"])
def program_list(request):
    if request.method == "POST":
        if not request.user.has_perm("annotation.add_program"):
            raise PermissionDenied
        form = ProgramForm(request.POST)
        if form.is_valid():
            try:
                program = services.program_create(**form.cleaned_data)
                return redirect("annotation:program-detail", pk=program.pk)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        else:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("annotation:program-list")
    return render(
        request,
        "annotation/program_list.html",
        {"programs": selectors.program_list().order_by("title"), "form": ProgramForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_detail(request, pk: int):
    program = get_object_or_404(selectors.program_list(), pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("annotation.change_program"):
            raise PermissionDenied
        form = ProgramForm(request.POST)
        if form.is_valid():
            try:
                services.program_update(program=program, **form.cleaned_data)
                messages.success(request, "Saved.")
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        return redirect("annotation:program-detail", pk=pk)
    form = ProgramForm(initial={k: getattr(program, k) for k in ("title", "kind", "year", "description")})
    clips = selectors.clip_list(request.user).filter(program=program)
    return render(
        request,
        "annotation/program_detail.html",
        {"program": program, "form": form, "page": _page(request, clips), "query": _query_without_page(request)},
    )
