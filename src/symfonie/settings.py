"""Django settings, read from environment variables with safe defaults for the embedded mode.

Embedded mode (the default): one process, a SQLite file under ``SYMFONIE_DATA_DIR``, a secret
generated once into that directory, the in-memory Channels layer and an in-process task worker.
Production (``SYMFONIE_ENV=production``) refuses to start without ``SYMFONIE_SECRET_KEY`` or with
``SYMFONIE_DEBUG`` on. Every setting is listed in docs/configuration.md (a test keeps them in step).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT = env("SYMFONIE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("SYMFONIE_DEBUG", not PRODUCTION)
DATA_DIR = Path(env("SYMFONIE_DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    key = env("SYMFONIE_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SYMFONIE_SECRET_KEY must be set when SYMFONIE_ENV=production")
    # Development: generate once and keep it in the data directory, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SYMFONIE_DEBUG must be off when SYMFONIE_ENV=production")

SECRET_KEY = _secret_key()
# Fernet keys for channel credentials at rest, newest first (connectors/secrets.py);
# empty: a key derived from SECRET_KEY
SECRETS_KEYS = [k.strip() for k in env("SYMFONIE_SECRETS_KEY").split(",") if k.strip()]
ALLOWED_HOSTS = [h for h in env("SYMFONIE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("SYMFONIE_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "symfonie.tenants",
    "symfonie.events",
    "symfonie.contacts",
    "symfonie.connectors",
    "symfonie.reporting",
    "symfonie.wfm",
    "symfonie.routing",
    "symfonie.workspace",
    "symfonie.wallboard",
    "symfonie.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "symfonie.web.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "symfonie.tenants.middleware.TenantMiddleware",
    # Axes last: it turns locked-out logins into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "symfonie.urls"
ASGI_APPLICATION = "symfonie.asgi.application"
AUTH_USER_MODEL = "tenants.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "symfonie.tenants.middleware.tenant_context",
            ],
        },
    },
]

# Database: SQLite file in the data directory unless DATABASE_URL says otherwise.
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)  # WhiteNoise warns when STATIC_ROOT is missing
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'symfonie.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process worker and the web requests read while one writes;
    # IMMEDIATE avoids the "database is locked" upgrade deadlock of deferred transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling: five failures lock the (username, IP) pair for 15 minutes.
AXES_FAILURE_LIMIT = int(env("SYMFONIE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the sign-in form posts the e-mail address as "username" (Django's AuthenticationForm)
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Amsterdam"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(env("SYMFONIE_MEDIA_DIR", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: attachments above this size are refused with 413; request bodies likewise.
MAX_ATTACHMENT_BYTES = int(env("SYMFONIE_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))
ALLOWED_ATTACHMENT_TYPES = env(
    "SYMFONIE_ALLOWED_ATTACHMENT_TYPES",
    "application/pdf,image/jpeg,image/png,image/gif,text/plain,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "audio/ogg,audio/mpeg,audio/aac,audio/mp4,audio/amr,video/mp4",
).split(",")
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_ATTACHMENT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {
    "default": {
        "BACKEND": env("SYMFONIE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}
# Embedded mode runs the task worker inside `symfonie serve`; set to 0 with separate workers.
EMBEDDED_WORKER = env_bool("SYMFONIE_EMBEDDED_WORKER", True)
# The router runs in a thread of every `symfonie serve` process (one leads; docs/routing.md).
# Inline: carried out in the caller (tests); off: commands wait for a server's router.
ROUTER_INLINE = env_bool("SYMFONIE_ROUTER_INLINE", False)

# The address this installation is reached at (the demo accounts' send API and webhooks).
PUBLIC_URL = env("SYMFONIE_PUBLIC_URL", "http://127.0.0.1:8000")
# The demo's stand-in for Meta, Telegram and Twilio at /demo-provider/ (connectors/demo_provider.py)
DEMO_PROVIDER = env_bool("SYMFONIE_DEMO_PROVIDER", not PRODUCTION)

WEBHOOK_TIMEOUT_SECONDS = float(env("SYMFONIE_WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_MAX_ATTEMPTS = int(env("SYMFONIE_WEBHOOK_MAX_ATTEMPTS", "8"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SYMFONIE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
