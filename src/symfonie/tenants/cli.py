"""Built-in subcommands: serve, migrate, demo, createuser, token."""

from __future__ import annotations

import argparse
import os
import secrets
import threading
from pathlib import Path

from symfonie.cli import CommandError, setup_django


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve", help="serve web pages, API, WebSocket (and the worker) in one process"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    migrate = subparsers.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(func=cmd_migrate)

    demo = subparsers.add_parser(
        "demo", help="load the demo tenants and history (once; idempotent)"
    )
    demo.set_defaults(func=cmd_demo)

    createtenant = subparsers.add_parser("createtenant", help="create a tenant (opdrachtgever)")
    createtenant.add_argument("slug")
    createtenant.add_argument("--name", required=True)
    createtenant.add_argument("--time-zone", default="Europe/Amsterdam", help="IANA name")
    createtenant.add_argument("--region", default="NL", choices=["NL", "BE"])
    createtenant.set_defaults(func=cmd_createtenant)

    createuser = subparsers.add_parser("createuser", help="create a user with a role in a tenant")
    createuser.add_argument("email")
    createuser.add_argument(
        "--role", required=True, choices=["agent", "supervisor", "admin", "client-viewer"]
    )
    createuser.add_argument("--tenant", required=True, metavar="SLUG")
    createuser.add_argument("--password", help="default: a generated password, printed once")
    createuser.add_argument(
        "--superuser", action="store_true", help="also give access to the admin site"
    )
    createuser.set_defaults(func=cmd_createuser)

    token = subparsers.add_parser("token", help="issue an API token for a user in a tenant")
    token.add_argument("email")
    token.add_argument("--tenant", required=True, metavar="SLUG")
    token.add_argument("--name", default="cli")
    token.set_defaults(func=cmd_token)

    manage = subparsers.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["symfonie manage", *args.arguments])
    return 0


def start_embedded_worker() -> threading.Thread | None:
    """Run the django-tasks database worker in a thread of this process (embedded mode)."""
    from django.conf import settings
    from django_tasks_db.management.commands.db_worker import Worker

    if (
        not settings.EMBEDDED_WORKER
        or "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]
    ):
        return None
    worker = Worker(
        queue_names=["*"],
        interval=1.0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="embedded-" + secrets.token_hex(4),
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run, name="symfonie-worker", daemon=True)
    thread.start()
    return thread


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CommandError(f"--port must be 1–65535, not {args.port}")
    setup_django()
    import uvicorn

    start_embedded_worker()
    from symfonie.routing.runner import start_router_thread

    start_router_thread()
    print(f"Symfonie serves http://{args.host}:{args.port}/  (API docs: /api/v1/docs)", flush=True)
    uvicorn.run(
        "symfonie.asgi:application",
        host=args.host,
        port=args.port,
        lifespan="off",
        log_level="info",
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def shared_data_dir() -> Path:
    """The reference data sets: ``$SYMFONIE_SHARED_DATA``, default ``../shared/data``."""
    return Path(os.environ.get("SYMFONIE_SHARED_DATA", "../shared/data"))


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from symfonie.demo.loader import DEMO_PASSWORD, demo_logins, load_bank_demo, load_demo
    from symfonie.demo.routing import load_routing_demo

    summary = load_demo()
    print(summary.describe())
    if load_routing_demo():
        print("Routing: skills, queues (telefoon, chat, digitaal, escalatie) and agent profiles.")
    bank_file = shared_data_dir() / "anonymous-bank" / "february_1999.txt.gz"
    if bank_file.exists():
        imported = load_bank_demo(bank_file)
        if imported is not None:
            print(f"Anonymous Bank tenant: {imported} calls of February 1999 imported.")
    else:
        print(f"(no {bank_file}: the Anonymous Bank demo tenant is left out)")
    print(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for email, roles in demo_logins():
        print(f"  {email:<38} {roles}")
    return 0


def cmd_createtenant(args: argparse.Namespace) -> int:
    setup_django()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.utils.text import slugify

    from symfonie.tenants.models import Tenant

    if slugify(args.slug) != args.slug or len(args.slug) > 64:
        raise CommandError(f"slug must be lower-case letters, digits and '-': {args.slug!r}")
    try:
        ZoneInfo(args.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"--time-zone: unknown time zone {args.time_zone!r}") from None
    if Tenant.objects.filter(slug=args.slug).exists():
        raise CommandError(f"a tenant with slug {args.slug!r} already exists")
    Tenant.objects.create(
        slug=args.slug, name=args.name, time_zone=args.time_zone, default_region=args.region
    )
    print(f"Created tenant {args.slug} ({args.name}, {args.time_zone})")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction

    from symfonie.tenants.models import Membership, Tenant, User

    email = args.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise CommandError(f"not a valid e-mail address: {args.email!r}") from exc
    tenant = Tenant.objects.filter(slug=args.tenant).first()
    if tenant is None:
        known = ", ".join(Tenant.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"no tenant with slug {args.tenant!r} (known: {known})")
    password = args.password or secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password)
            created = True
        else:
            created = False
        if args.superuser:
            user.is_staff = user.is_superuser = True
            user.save()
        Membership.objects.update_or_create(user=user, tenant=tenant, defaults={"role": args.role})
    print(f"{'created' if created else 'updated'} {email}: {args.role} at {tenant.slug}")
    if created and not args.password:
        print(f"password: {password}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    setup_django()
    from symfonie.tenants.models import ApiToken, Membership

    membership = (
        Membership.objects.select_related("user", "tenant")
        .filter(user__email=args.email.strip().lower(), tenant__slug=args.tenant)
        .first()
    )
    if membership is None:
        raise CommandError(f"{args.email} has no role in tenant {args.tenant!r}")
    _token, raw = ApiToken.issue(tenant=membership.tenant, user=membership.user, name=args.name)
    print(raw)
    return 0
