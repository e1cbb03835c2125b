from rest_framework.routers import DefaultRouter

app_name = "classifier-api"

router = DefaultRouter(trailing_slash=True)

urlpatterns = router.urls
