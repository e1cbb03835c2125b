"""Security settings. Production (DJANGO_DEBUG off with DJANGO_SECURE on) turns on HTTPS-only cookies and
HSTS; the embedded development setup keeps plain HTTP on localhost working."""

from config.env import env_bool, env_int

SECURE = env_bool("DJANGO_SECURE", False)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the small page scripts read it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Django's model backend, reading a person's permissions in one query instead of two (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.RoleBackend"]

if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
