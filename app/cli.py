"""The `flowdeck` command: accounts, API keys, migrations and key rotation from a shell."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from app.core.errors import FlowdeckError
from app.db.settings import SettingsError


def _create_user(args: argparse.Namespace) -> int:
    from app.services import users
    from app.services.actor import SYSTEM

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    if not password:
        print("error: give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    user = users.create_user(
        SYSTEM, email=args.email, name=args.name or "", role=args.role, password=password
    )
    print(f"created {user.role} {user.email} (id {user.id})")
    return 0


def _create_api_key(args: argparse.Namespace) -> int:
    from app.db.engine import session_scope
    from app.db.models import User
    from app.services.actor import SYSTEM
    from app.services.api_keys import create_api_key
    from app.services.users import normalize_email

    with session_scope() as session:
        user = session.exec(select(User).where(User.email == normalize_email(args.email))).first()
        if user is None:
            print(f"error: no user with email {args.email!r}", file=sys.stderr)
            return 1
        user_id = user.id
    key, row = create_api_key(SYSTEM, user_id=user_id or 0, name=args.name)
    print(key)
    print(
        f"(API key {row.prefix}… for {row.user_email}; it is shown only this once)", file=sys.stderr
    )
    return 0


def _unlock_user(args: argparse.Namespace) -> int:
    from app.services import users
    from app.services.actor import SYSTEM

    user = users.unlock_user(SYSTEM, users.user_id_by_email(SYSTEM, args.email))
    print(f"unlocked {user.email}: its failed sign-ins are forgotten")
    return 0


def _db_upgrade(_: argparse.Namespace) -> int:
    from app.db.migrate import upgrade

    upgrade()
    print("database is up to date")
    return 0


def _rotate_keys(_: argparse.Namespace) -> int:
    from app.db.engine import session_scope
    from app.integrations.keyring import rotate_all
    from app.services import audit
    from app.services.actor import SYSTEM

    with session_scope() as session:
        counts = rotate_all(session)
        audit.record(session, SYSTEM, "secrets.rotated", target_type="secrets", details=counts)
    total = sum(counts.values())
    print(
        f"re-encrypted {total} stored secret(s) under the newest key: "
        + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items())
    )
    print("the older keys can now be removed from FLOWDECK_SECRET_KEYS", file=sys.stderr)
    return 0


def _utc_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _rollups_rebuild(args: argparse.Namespace) -> int:
    from app.services import rollups

    hours = rollups.rebuild(args.since)
    start = args.since.date().isoformat() if args.since else "the first run"
    print(f"rebuilt the analytics rollups from {start}: {hours} workflow-hour(s)")
    return 0


def _db_compact(_: argparse.Namespace) -> int:
    from app.services import retention

    done = retention.compact()
    if not done["compacted"]:
        print(f"nothing to do on {done['dialect']} (autovacuum reclaims space there)")
        return 0
    print(
        f"compacted in {done['duration_ms'] / 1000:.1f} s: {done['size_before']:,} -> "
        f"{done['size_after']:,} bytes; auto_vacuum is now {done['auto_vacuum']}"
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.worker import main as run_worker

    return run_worker(poll_s=args.poll)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flowdeck", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    user = sub.add_parser("create-user", help="create a user")
    user.add_argument("--email", required=True)
    user.add_argument("--name", default="")
    user.add_argument("--role", choices=["admin", "member", "viewer"], default="member")
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    user.set_defaults(func=_create_user)

    key = sub.add_parser("create-api-key", help="create an API key and print it once")
    key.add_argument("--email", required=True)
    key.add_argument("--name", required=True)
    key.set_defaults(func=_create_api_key)

    unlock = sub.add_parser(
        "unlock-user", help="clear an account's sign-in back-off after failed attempts (audited)"
    )
    unlock.add_argument("--email", required=True)
    unlock.set_defaults(func=_unlock_user)

    upgrade = sub.add_parser("db-upgrade", help="apply pending database migrations")
    upgrade.set_defaults(func=_db_upgrade)

    compact = sub.add_parser(
        "db-compact",
        help="SQLite: rewrite the file once (VACUUM) so pruned space can be handed back in steps "
        "from then on (holds the database while it runs; stop Flowdeck first)",
    )
    compact.set_defaults(func=_db_compact)

    rotate = sub.add_parser(
        "rotate-keys",
        help="re-encrypt every stored secret under the newest key of FLOWDECK_SECRET_KEYS",
    )
    rotate.set_defaults(func=_rotate_keys)

    rebuild = sub.add_parser(
        "rollups-rebuild", help="recompute the analytics rollups from the execution rows"
    )
    rebuild.add_argument(
        "--since", type=_utc_moment, help="a UTC day (YYYY-MM-DD) to rebuild from; default all"
    )
    rebuild.set_defaults(func=_rollups_rebuild)

    worker = sub.add_parser(
        "worker", help="run the execution engine without the web server (several processes)"
    )
    worker.add_argument(
        "--poll", type=float, default=1.0, help="seconds between looks at the queue (default 1)"
    )
    worker.set_defaults(func=_worker)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except FlowdeckError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"error: cannot use the database at DATABASE_URL: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}",
            file=sys.stderr,
        )
        return 2
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("psycopg"):
            print(
                "error: DATABASE_URL needs the PostgreSQL driver: pip install -e '.[postgres]'",
                file=sys.stderr,
            )
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
