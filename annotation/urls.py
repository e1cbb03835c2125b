from django.urls import path

from . import views

app_name = "annotation"

urlpatterns = [
    path("clips/", views.clip_list, name="clip-list"),
    path("clips/upload/", views.clip_upload, name="clip-upload"),
    path("clips/<int:pk>/", views.clip_detail, name="clip-detail"),
    path("clips/<int:pk>/reprocess/", views.clip_reprocess, name="clip-reprocess"),
    path("clips/<int:pk>/<slug:kind>", views.clip_media, name="clip-media"),
    path("programs/", views.program_list, name="program-list"),
    path("programs/<int:pk>/", views.program_detail, name="program-detail"),
]
