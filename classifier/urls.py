"""Pages of the classifier: training runs, model versions, ops review of model suggestions."""

from django.urls import path  # noqa: F401

app_name = "classifier"

urlpatterns: list = []
