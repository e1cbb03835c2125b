from django.urls import re_path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "classifier-api"

router = DefaultRouter(trailing_slash=True)
router.register("model-versions", views.ModelVersionViewSet, basename="model-version")
router.register("training-runs", views.TrainingRunViewSet, basename="training-run")
router.register("predictions", views.PredictionViewSet, basename="prediction")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")

urlpatterns = [
    re_path(r"^classify/?$", views.ClassifyView.as_view(), name="classify"),
    *router.urls,
]
