from rest_framework.routers import SimpleRouter

from .views import ComplaintViewSet, TrackViewSet

router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("track", TrackViewSet, basename="track")

urlpatterns = router.urls
