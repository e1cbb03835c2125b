from rest_framework.routers import DefaultRouter

from . import views

app_name = "annotation-api"

router = DefaultRouter(trailing_slash=True)
router.register("clips", views.ClipViewSet, basename="clip")
router.register("programs", views.ProgramViewSet, basename="program")

urlpatterns = router.urls
