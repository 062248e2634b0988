from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.management.commands._language import command_language
from credit_records.choices import Source
from credit_records.imports import COLUMNS, ImportFailed, credit_records_import


class Command(BaseCommand):
    help = (
        "从CSV导入信用记录（拖欠账款、失信被执行人名单等；列：" + ", ".join(COLUMNS) + "）。"
        "全部校验通过才写入；重复导入不产生变化。 / Import credit records from CSV: "
        "streaming, all-or-nothing, idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 with or without BOM")
        parser.add_argument(
            "--source",
            default=Source.CSV_IMPORT,
            choices=[s for s in Source.values if s != Source.COMPLAINT],
            help="source the rows come from (default csv_import); source_ref is unique per source",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--language", help="language of the report (zh-hans, en)")

    def handle(self, *args, **options):
        language = command_language(options["language"])
        with translation.override(language) if language else nullcontext():
            self._import(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        try:
            with path.open(encoding="utf-8-sig", newline="") as lines:
                report = credit_records_import(
                    lines=lines, source=options["source"], dry_run=options["dry_run"]
                )
        except ImportFailed as failed:
            for line, message in failed.report.errors:
                self.stderr.write(
                    _("第%(line)d行：%(message)s") % {"line": line, "message": message}
                )
            hidden = failed.report.error_count - len(failed.report.errors)
            if hidden > 0:
                self.stderr.write(_("……另有%(n)d处错误未列出") % {"n": hidden})
            raise CommandError(
                _("导入失败：共%(rows)d行，%(errors)d处错误，未写入任何记录。")
                % {"rows": failed.report.rows, "errors": failed.report.error_count}
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(_("文件无法读取：%(error)s") % {"error": exc}) from None
        prefix = _("（试运行，未写入）") if options["dry_run"] else ""
        self.stdout.write(
            prefix
            + _("导入完成：共%(rows)d行，新增%(created)d条，已存在%(unchanged)d条。")
            % {"rows": report.rows, "created": report.created, "unchanged": report.unchanged}
        )
