"""Labeling API: projects and members, the queue (next, renew, release, submit, skip), tasks, reviews,
labels, exports and label migrations."""

from __future__ import annotations

from django.db.models import Count, Q, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotation import hooks
from annotation import labeling_selectors as selectors
from annotation.choices import TaskStatus
from annotation.exports import labels_import_csv, stream_export
from annotation.filtersets_labeling import LabelFilterSet, TaskFilterSet
from annotation.models import Assignment, Label, Project, Task
from annotation.services import labels as label_services
from annotation.services import projects as project_services
from annotation.services import queue, reviews

from . import fast_lane
from . import project_serializers as s

MANAGE = ["annotation.manage_project"]


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Annotation projects. Annotators see the projects they are members of; managers see all."""

    serializer_class = s.ProjectSerializer
    queryset = Project.objects.all()
    action_permissions = {
        "create": MANAGE,
        "update": MANAGE,
        "partial_update": MANAGE,
        "sync": MANAGE,
        "next": ["annotation.add_label"],
        "me": [],
        "stats": [],
        "export": [],
        "migrations": [],
        "import_labels": MANAGE,
        "members": [],  # anyone in the project reads the list; adding people checks manage_project itself
    }

    def get_queryset(self):
        projects = selectors.projects_for_user(self.request.user)
        if self.action not in ("list", "retrieve", "create", "update", "partial_update"):
            return projects  # the queue, stats and exports don't show the task counts
        return projects.annotate(
            task_count=Count("tasks", filter=Q(tasks__is_gold=False)),
            done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE, tasks__is_gold=False)),
        ).order_by("name")

    @extend_schema(request=s.ProjectCreateSerializer, responses={201: s.ProjectSerializer})
    def create(self, request, *args, **kwargs):
        form = s.ProjectCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        project = project_services.project_create(actor=request.user, **form.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data, status=201)

    def perform_update(self, serializer):
        project = project_services.project_update(project=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=project.pk)  # with its task counts

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Create tasks for ready clips that entered the project's scope since the last sync."""
        return Response({"added": project_services.project_sync_tasks(project=self.get_object())})

    @extend_schema(methods=["GET"], responses=s.MemberSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.MemberSerializer, responses={201: s.MemberSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request, pk=None):
        """The people of a project; POST adds one (or changes their role and training mode)."""
        project = self.get_object()
        if request.method == "GET":
            return Response(s.MemberSerializer(project.members.select_related("user"), many=True).data)
        if not request.user.has_perm("annotation.manage_project"):
            raise PermissionDenied("Your role does not allow managing projects.")
        form = s.MemberSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        member = project_services.project_member_set(project=project, **form.validated_data)
        return Response(s.MemberSerializer(member).data, status=201)

    @extend_schema(request=s.NextSerializer, responses={200: s.AssignmentSerializer, 204: None})
    @action(detail=True, methods=["post"])
    def next(self, request, pk=None):
        """Lease the next clip to the caller, or return a lease they already hold; 204 when none is left.
        Pass `exclude` (lease ids already on the page) to preload the following clip (at most two held)."""
        form = s.NextSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        exclude = form.validated_data["exclude"]
        if (answer := fast_lane.answer_next(request, pk, exclude)) is not None:  # the common case, on PostgreSQL
            return Response(answer)
        project = self.get_object()  # projects_for_user: members only, unless the caller manages projects
        assignment = queue.task_next_for_annotator(project=project, user=request.user, exclude=exclude)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        prefetch_related_objects([assignment.task.clip], "tags")
        context = {**self.get_serializer_context(), "suggestion_provider": hooks.suggestion_for}
        return Response(s.AssignmentSerializer(assignment, context=context).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True)
    def me(self, request, pk=None):
        """The caller's counts in this project: labeled, skipped, remaining, speed, gold accuracy per level."""
        return Response(selectors.annotator_stats(project=self.get_object(), user=request.user))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True)
    def stats(self, request, pk=None):
        """Progress, Krippendorff's alpha per level, and per-annotator counts and gold accuracy."""
        return Response(selectors.project_stats(project=self.get_object()))

    @extend_schema(
        parameters=[OpenApiParameter("file_format", str, enum=["json", "csv"], default="csv")],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): OpenApiTypes.OBJECT},
    )
    @action(detail=True)
    def export(self, request, pk=None):
        """Final labels per clip (full path, codes, release, agreement, program), streamed."""
        return stream_export(self.get_object(), request.query_params.get("file_format", "csv"))

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["post"], url_path="import-labels", parser_classes=[MultiPartParser, FormParser])
    def import_labels(self, request, pk=None):
        """Import existing final labels from CSV (`clip_id` or `checksum`, and `category_code`)."""
        upload = request.data.get("file")
        if upload is None:
            return Response({"file": ["Attach a CSV file."]}, status=400)
        return Response(labels_import_csv(project=self.get_object(), data=upload.read(), actor=request.user))

    @extend_schema(responses=s.LabelMigrationSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def migrations(self, request, pk=None):
        """What each release did to this project's labels."""
        project = self.get_object()
        return Response(
            s.LabelMigrationSerializer(
                project.label_migrations.select_related("from_release", "to_release"), many=True
            ).data
        )


class AssignmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's leases: keep one alive, give it back, submit a label or skip."""

    serializer_class = s.AssignmentSerializer
    queryset = Assignment.objects.all()
    action_permissions = {a: ["annotation.add_label"] for a in ("renew", "release", "submit", "skip")}

    def get_queryset(self):
        assignments = Assignment.objects.filter(annotator=self.request.user)
        if self.action in ("submit", "skip", "release"):
            return assignments  # the services lock and load what they need
        return assignments.select_related("task__clip__program", "task__project").prefetch_related("task__clip__tags")

    @extend_schema(request=None, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Extend the lease (the labeling page calls this while it is open)."""
        assignment = queue.assignment_renew(assignment=self.get_object(), user=request.user)
        return Response(self.get_serializer(assignment).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Give the clip back to the queue without labeling it."""
        queue.assignment_release(assignment=self.get_object(), user=request.user)
        return Response(status=204)

    @extend_schema(request=s.SubmitSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Save the label. In training mode on a gold clip the answer and its standard come back."""
        if (answer := fast_lane.answer_submit(request, pk)) is not None:  # the common case, on PostgreSQL
            return Response(answer, status=201)
        form = s.SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assignment = self.get_object()
        label = label_services.label_submit(assignment=assignment, user=request.user, **form.validated_data)
        return Response(
            {
                "label": s.LabelSerializer(label).data,
                "feedback": selectors.training_feedback(label=label, user=request.user),
            },
            status=201,
        )

    @extend_schema(request=s.SkipSerializer, responses={201: s.LabelSerializer})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        """Skip the clip with a reason; someone else gets it."""
        form = s.SkipSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        label = label_services.label_skip(assignment=self.get_object(), user=request.user, **form.validated_data)
        return Response(s.LabelSerializer(label).data, status=201)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks of the projects the caller may see, with filters (status, review, gold, re-label). Annotators
    see only the tasks they worked on, with their own labels and without gold answers."""

    serializer_class = s.TaskSerializer
    queryset = Task.objects.all()
    filterset_class = TaskFilterSet
    action_permissions = {"review": ["annotation.review_task"]}

    def get_queryset(self):
        return selectors.tasks_for_user(self.request.user).select_related("clip", "final_category", "gold_category")

    def filter_queryset(self, queryset):
        if "is_gold" in self.request.query_params and not selectors.sees_answers(self.request.user):
            raise PermissionDenied("Only reviewers and project managers may filter by gold.")
        return super().filter_queryset(queryset)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "with_labels": self.action == "retrieve",
            "sees_answers": selectors.sees_answers(self.request.user),
        }

    @extend_schema(request=s.ReviewCreateSerializer, responses={201: s.ReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Resolve a task in review: accept one label, correct it, or reject the clip."""
        form = s.ReviewCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        review = reviews.review_decide(task=self.get_object(), reviewer=request.user, **form.validated_data)
        return Response(s.ReviewSerializer(review).data, status=201)


class LabelViewSet(viewsets.ReadOnlyModelViewSet):
    """Labels (current and superseded), filterable by project, annotator, category and flags; editors use
    `flagged=true&taxonomy=` to see where the standards are unclear. Annotators see their own labels."""

    serializer_class = s.LabelSerializer
    queryset = Label.objects.all()
    filterset_class = LabelFilterSet

    def get_queryset(self):
        return selectors.labels_for_user(self.request.user).select_related("annotator", "category", "release")
