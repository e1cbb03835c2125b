"""Login with a rate limit, and the API token endpoint."""

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_S = 60


class LoginView(auth_views.LoginView):
    """Django's login page, refusing a client after LOGIN_ATTEMPTS failed tries a minute."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        key = f"login-fail:{request.META.get('REMOTE_ADDR', '')}"
        if (cache.get(key) or 0) >= LOGIN_ATTEMPTS:
            return HttpResponse("Too many failed logins; wait a minute and try again.", status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            cache.set(key, (cache.get(key) or 0) + 1, LOGIN_WINDOW_S)
        return response


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(APIView):
    """Exchange a username and password for the user's API token (send it as `Authorization: Token <key>`)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: {"type": "object", "properties": {"token": {"type": "string"}}},
            429: {"type": "object", "description": "Too many tries from this address; wait a minute."},
        },
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
