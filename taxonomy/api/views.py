"""Taxonomy API. Views declare querysets, serializers and permissions; the work is in services and
selectors."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.db.models import Count
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # 404 (not 500) for malformed ids
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from taxonomy import selectors, services
from taxonomy.filtersets import AuditEventFilterSet, CategoryFilterSet, ReleaseFilterSet
from taxonomy.io import export_csv, export_json, parse_taxonomy_file, taxonomy_import
from taxonomy.models import AuditEvent, Category, Release, Taxonomy
from taxonomy.textdiff import diff_standards

from . import serializers as s

EDIT = ["taxonomy.change_category"]


class TaxonomyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Category systems. The whole tree, type-ahead search, import, export and publishing hang off here."""

    queryset = Taxonomy.objects.annotate(category_count=Count("categories")).order_by("name")
    serializer_class = s.TaxonomySerializer
    action_permissions = {
        "import_file": ["taxonomy.import_taxonomy", "taxonomy.add_taxonomy"],
        "export": [],
        "publish": ["taxonomy.add_release"],
    }

    def perform_create(self, serializer):
        serializer.instance = services.taxonomy_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.taxonomy_update(
            taxonomy=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        responses=s.TreeNodeSerializer(many=True),
        parameters=[OpenApiParameter("include_deprecated", bool, default=True)],
    )
    @action(detail=True, pagination_class=None)
    def tree(self, request, pk=None):
        """The whole tree, nested, with each node's descendant count. Cached until the next edit."""
        taxonomy = get_object_or_404(Taxonomy, pk=pk)
        include = request.query_params.get("include_deprecated", "true").lower() != "false"
        key = f"taxonomy-tree:{taxonomy.pk}:{taxonomy.revision}:{int(include)}"
        body = cache.get(key)
        if body is None:
            body = json.dumps(
                selectors.taxonomy_tree(taxonomy, include_deprecated=include), ensure_ascii=False, separators=(",", ":")
            )
            cache.set(key, body, 3600)
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        responses=s.SearchResultSerializer(many=True),
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("limit", int, default=20),
            OpenApiParameter("include_deprecated", bool, default=False),
        ],
    )
    @action(detail=True, pagination_class=None)
    def search(self, request, pk=None):
        """Type-ahead over full category paths."""
        taxonomy = get_object_or_404(Taxonomy, pk=pk)
        try:
            limit = max(1, min(int(request.query_params.get("limit", 20)), 100))
        except ValueError:
            limit = 20
        include = request.query_params.get("include_deprecated", "false").lower() == "true"
        return Response(
            selectors.category_search(
                taxonomy, request.query_params.get("q", ""), limit=limit, include_deprecated=include
            )
        )

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR},
        parameters=[OpenApiParameter("file_format", str, enum=["json", "csv"], default="json")],
    )
    @action(detail=True)
    def export(self, request, pk=None):
        """The taxonomy as nested JSON (re-importable) or flat CSV."""
        taxonomy = get_object_or_404(Taxonomy, pk=pk)
        fmt = request.query_params.get("file_format", "json")
        if fmt == "csv":
            response = HttpResponse(export_csv(taxonomy), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                json.dumps(export_json(taxonomy), ensure_ascii=False, indent=2), content_type="application/json"
            )
        response["Content-Disposition"] = (
            f'attachment; filename="taxonomy-{taxonomy.pk}.{"csv" if fmt == "csv" else "json"}"'
        )
        return response

    @extend_schema(request={"multipart/form-data": s.ImportSerializer}, responses={201: s.TaxonomySerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Create a taxonomy from a JSON, CSV or adjacency-list file. Nothing is created on any error."""
        form = s.ImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        parsed = parse_taxonomy_file(form.validated_data["file"].read())
        result = taxonomy_import(
            parsed=parsed,
            name=form.validated_data.get("name", ""),
            max_depth=form.validated_data.get("max_depth"),
            fold_deeper=form.validated_data["fold_deeper"],
            actor=request.user,
        )
        taxonomy = self.get_queryset().get(pk=result.taxonomy.pk)
        data = {**s.TaxonomySerializer(taxonomy).data, "created": result.created, "folded": result.folded}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PublishSerializer, responses={201: s.ReleaseSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def publish(self, request, pk=None):
        """Publish the current tree and standards as the next release."""
        form = s.PublishSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        release = services.release_publish(
            taxonomy=get_object_or_404(Taxonomy, pk=pk), actor=request.user, notes=form.validated_data["notes"]
        )
        return Response(s.ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)


def _category_action(serializer_class, doc: str):
    """Build one POST action on a category that validates input and calls a service."""

    def decorate(func):
        func.__doc__ = doc
        return extend_schema(request=serializer_class, responses={200: s.CategorySerializer})(
            action(detail=True, methods=["post"])(func)
        )

    return decorate


class CategoryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Categories. Edits are explicit actions (rename, move, merge, split, deprecate, restore), each audited."""

    queryset = Category.objects.select_related("parent", "replaced_by").order_by("tree_id", "lft")
    serializer_class = s.CategorySerializer
    filterset_class = CategoryFilterSet
    action_permissions = {
        "rename": EDIT,
        "move": EDIT,
        "merge": EDIT,
        "split": EDIT + ["taxonomy.add_category"],
        "deprecate": EDIT,
        "restore": EDIT,
        "standards": [],
    }

    def get_serializer_class(self):
        return s.CategoryCreateSerializer if self.action == "create" else super().get_serializer_class()

    @extend_schema(request=s.CategoryCreateSerializer, responses={201: s.CategorySerializer})
    def create(self, request, *args, **kwargs):
        form = s.CategoryCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        category = services.category_add(
            taxonomy=data["taxonomy"],
            name=data["name"],
            parent=data.get("parent"),
            code=data.get("code") or None,
            standard=data.get("standard"),
            actor=request.user,
            reason=data["reason"],
        )
        return Response(s.CategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def _run(self, serializer_class, call):
        form = serializer_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        category = self.get_object()
        result = call(category, form.validated_data)
        category.refresh_from_db()
        return Response(s.CategorySerializer(result if isinstance(result, Category) else category).data)

    @_category_action(s.RenameSerializer, "Rename a category (its code stays).")
    def rename(self, request, pk=None):
        return self._run(
            s.RenameSerializer,
            lambda c, d: services.category_rename(category=c, name=d["name"], actor=request.user, reason=d["reason"]),
        )

    @_category_action(s.MoveSerializer, "Move a category with its subtree (parent null: to the top level).")
    def move(self, request, pk=None):
        return self._run(
            s.MoveSerializer,
            lambda c, d: services.category_move(
                category=c, new_parent=d["parent"], actor=request.user, reason=d["reason"]
            ),
        )

    @_category_action(s.MergeSerializer, "Merge this category into the target; returns the target.")
    def merge(self, request, pk=None):
        return self._run(
            s.MergeSerializer,
            lambda c, d: services.category_merge(source=c, target=d["target"], actor=request.user, reason=d["reason"]),
        )

    @_category_action(s.SplitSerializer, "Split this category into new or existing parts.")
    def split(self, request, pk=None):
        return self._run(
            s.SplitSerializer,
            lambda c, d: services.category_split(category=c, parts=d["parts"], actor=request.user, reason=d["reason"]),
        )

    @_category_action(s.ReasonSerializer, "Deprecate this category and its active descendants.")
    def deprecate(self, request, pk=None):
        return self._run(
            s.ReasonSerializer,
            lambda c, d: services.category_deprecate(category=c, actor=request.user, reason=d["reason"]),
        )

    @_category_action(s.ReasonSerializer, "Restore a deprecated category.")
    def restore(self, request, pk=None):
        return self._run(
            s.ReasonSerializer,
            lambda c, d: services.category_restore(category=c, actor=request.user, reason=d["reason"]),
        )

    @extend_schema(methods=["GET"], responses=s.StandardRevisionSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.StandardReviseSerializer, responses={201: s.StandardRevisionSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def standards(self, request, pk=None):
        """The category's standard revisions (newest first); POST writes a new revision."""
        category = self.get_object()
        if request.method == "GET":
            return Response(s.StandardRevisionSerializer(category.revisions.select_related("author"), many=True).data)
        if not request.user.has_perm("taxonomy.add_standardrevision"):
            self.permission_denied(request, message="Your role does not allow editing standards.")
        form = s.StandardReviseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        revision = services.standard_revise(category=category, actor=request.user, **form.validated_data)
        return Response(s.StandardRevisionSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, description="Revision number (default: previous)"),
            OpenApiParameter("to", int, description="Revision number (default: current)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, url_path="standards/diff", pagination_class=None)
    def standards_diff(self, request, pk=None):
        """Field-by-field word diff between two revisions of the category's standard."""
        category = self.get_object()
        revisions = {r.number: r for r in category.revisions.all()}
        if not revisions:
            return Response({"detail": "This category has no standard yet."}, status=404)
        try:
            new_n = int(request.query_params.get("to", max(revisions)))
            old_n = int(request.query_params.get("from", new_n - 1))
        except ValueError:
            return Response({"detail": "'from' and 'to' are revision numbers."}, status=400)
        if new_n not in revisions or (old_n not in revisions and old_n != 0):
            return Response({"detail": f"Known revisions: {sorted(revisions)}."}, status=404)
        old = revisions[old_n].content() if old_n in revisions else None
        return Response({"from": old_n, "to": new_n, "fields": diff_standards(old, revisions[new_n].content())})


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published releases (immutable), their frozen categories, mapping, and the diff between two."""

    queryset = Release.objects.select_related("published_by", "previous", "taxonomy")
    serializer_class = s.ReleaseSerializer
    filterset_class = ReleaseFilterSet

    @extend_schema(responses=s.CategoryMappingSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def mapping(self, request, pk=None):
        """What this release did to each category of the previous one (complete, machine-readable)."""
        release = self.get_object()
        return Response(s.CategoryMappingSerializer(release.mappings.all(), many=True).data)

    @extend_schema(responses=s.ReleaseCategorySerializer(many=True))
    @action(detail=True, pagination_class=None)
    def categories(self, request, pk=None):
        """The categories as they stood in this release."""
        release = self.get_object()
        return Response(s.ReleaseCategorySerializer(release.entries.all(), many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True, description="Release id"),
            OpenApiParameter("to", int, required=True, description="Release id"),
        ],
        responses=s.ReleaseDiffEntrySerializer(many=True),
    )
    @action(detail=False, pagination_class=None)
    def diff(self, request):
        """The per-category changes between any two releases of one taxonomy."""
        try:
            old = Release.objects.get(pk=int(request.query_params["from"]))
            new = Release.objects.get(pk=int(request.query_params["to"]))
        except (KeyError, ValueError):
            return Response({"detail": "Give 'from' and 'to' release ids."}, status=400)
        except Release.DoesNotExist:
            return Response({"detail": "No such release."}, status=404)
        if old.taxonomy_id != new.taxonomy_id:
            return Response({"detail": "Both releases must belong to the same taxonomy."}, status=400)
        return Response(selectors.release_diff(old, new))


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log of taxonomy edits: who, when, what, why."""

    queryset = AuditEvent.objects.select_related("actor", "category")
    serializer_class = s.AuditEventSerializer
    filterset_class = AuditEventFilterSet
