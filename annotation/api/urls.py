from rest_framework.routers import DefaultRouter

from . import projects, views

app_name = "annotation-api"

router = DefaultRouter(trailing_slash=True)
router.register("clips", views.ClipViewSet, basename="clip")
router.register("programs", views.ProgramViewSet, basename="program")
router.register("projects", projects.ProjectViewSet, basename="project")
router.register("assignments", projects.AssignmentViewSet, basename="assignment")
router.register("tasks", projects.TaskViewSet, basename="task")
router.register("labels", projects.LabelViewSet, basename="label")

urlpatterns = router.urls
