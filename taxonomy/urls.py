from django.urls import path

from . import views

app_name = "taxonomy"

urlpatterns = [
    path("", views.taxonomy_list, name="list"),
    path("import/", views.taxonomy_import_page, name="import"),
    path("<int:pk>/", views.taxonomy_detail, name="detail"),
    path("<int:pk>/publish/", views.taxonomy_publish, name="publish"),
    path("<int:pk>/audit/", views.audit_log, name="audit"),
    path("<int:pk>/releases/", views.release_list, name="releases"),
    path("releases/<int:pk>/", views.release_detail, name="release"),
    path("categories/<int:pk>/", views.category_detail, name="category"),
    path("categories/<int:pk>/edit/<str:op>/", views.category_edit, name="category-edit"),
    path("categories/<int:pk>/standard/", views.standard_edit, name="standard-edit"),
]
