from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.imports import ImportFailed, agencies_import

from ._language import command_language


class Command(BaseCommand):
    help = (
        "从CSV导入机构名录（列：name, uscc, kind, region_code, supervisor_uscc）。"
        "全部校验通过才写入；重复导入不产生变化。 / Import the agency directory from CSV: "
        "all-or-nothing and idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 with or without BOM")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )
        parser.add_argument(
            "--allow-rename",
            action="store_true",
            help="let a row rename the existing agency with the same USCC",
        )
        parser.add_argument(
            "--language", help="language of the report (zh-hans, en); default: $LANGUAGE"
        )

    def handle(self, *args, **options):
        language = command_language(options["language"])
        with translation.override(language) if language else nullcontext():
            self._import(options)

    def _import(self, options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        try:
            result = agencies_import(
                data, dry_run=options["dry_run"], allow_rename=options["allow_rename"]
            )
        except ImportFailed as exc:
            raise CommandError(exc.report()) from None
        summary = _("新增 %(created)d，更新 %(updated)d，未变化 %(unchanged)d。") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if options["dry_run"]:
            summary = _("试运行，未写入：") + summary
        self.stdout.write(self.style.SUCCESS(summary))
