"""Pages of the classifier: training runs, model versions, ops review of model suggestions."""

from django.urls import path

from . import views

app_name = "classifier"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("versions/", views.version_list, name="versions"),
    path("review/", views.suggestion_review_page, name="review"),
]
