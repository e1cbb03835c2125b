from django.urls import path

from . import api

app_name = "dashboards-api"

urlpatterns = [
    path("labels-per-category/", api.LabelsPerCategoryView.as_view(), name="labels-per-category"),
    path("agreement/", api.AgreementView.as_view(), name="agreement"),
    path("model-versions/", api.ModelVersionsView.as_view(), name="model-versions"),
    path("category-quality/", api.CategoryQualityView.as_view(), name="category-quality"),
    path("throughput/", api.ThroughputView.as_view(), name="throughput"),
    path("queues/", api.QueuesView.as_view(), name="queues"),
    path("cold-start/", api.ColdStartView.as_view(), name="cold-start"),
]
