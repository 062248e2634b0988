"""``manage.py load_demo``: the sample city, then each later app's demo data. Idempotent.

Extending it: an app listed in ``DEMO_APPS`` that has a ``<app>/demo.py`` defining
``build_demo(*, stdout)`` is called after the agency directory, in this order. It must be
idempotent too (a second run changes nothing) and may rely on the demo agencies and logins
(``agencies.demo.DEMO_AGENCIES`` / ``DEMO_LOGINS``). An app without the module is skipped.
"""

import importlib
import io

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_LOGINS, build_demo

DEMO_APPS = ("complaints", "credit_records", "sanctions", "evaluation", "sharing")


def app_demo_builders():
    """``(app, build_demo)`` for every app in ``DEMO_APPS`` that ships a demo module."""
    for app in DEMO_APPS:
        module_name = f"{app}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise  # the module exists but one of its imports is broken: say so
        yield app, module.build_demo


class Command(BaseCommand):
    help = (
        "加载示例数据（杭州市机构名录和各角色演示账号），可重复执行。"
        " / Load demo data (a sample city and one login per role); safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="print only the table of demo logins"
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo logins have published passwords, one of them a superuser's.
            raise CommandError(
                "生产模式（PRODUCTION=true）下拒绝加载示例数据。"
                " / Refusing to load demo data with PRODUCTION=true."
            )
        progress = io.StringIO() if options["quiet"] else self.stdout
        build_demo(stdout=progress)
        for _app, build in app_demo_builders():
            build(stdout=progress)
        self.stdout.write(logins_table())


def logins_table() -> str:
    rows = [("username", "password", "role", "agency")]
    rows += [(x.username, x.password, x.role or "superuser", x.agency or "") for x in DEMO_LOGINS]
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = ["Demo logins / 演示账号 (/console/, /admin/):"]
    for row in rows:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(3)]
        lines.append(("  " + "  ".join([*cells, row[3]])).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
