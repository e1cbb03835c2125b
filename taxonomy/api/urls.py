from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("taxonomies", views.TaxonomyViewSet)
router.register("categories", views.CategoryViewSet)
router.register("releases", views.ReleaseViewSet)
router.register("audit-events", views.AuditEventViewSet)

urlpatterns = router.urls
