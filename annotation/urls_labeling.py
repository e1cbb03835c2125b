"""Labeling pages, mounted under /labeling/ (config/urls.py)."""

from django.urls import path

from . import views_labeling as views

app_name = "labeling"

urlpatterns = [
    path("", views.project_index, name="index"),
    path("flags/", views.flags_page, name="flags"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/members/", views.project_member_add, name="member-add"),
    path("projects/<int:pk>/sync/", views.project_sync, name="sync"),
    path("projects/<int:pk>/import/", views.project_import, name="import"),
    path("projects/<int:pk>/label/", views.label_page, name="label"),
    path("projects/<int:pk>/review/", views.review_page, name="review"),
]
