"""Re-hash complaint event chains written before the event hash was keyed (HMAC).

Only chains intact under the old plain SHA-256 are re-hashed (a chain tampered with before
the upgrade is reported and left as it is); chains already keyed are left alone; each
re-hashed complaint is logged in the access log (``event_chain_rehash``). Refuses to run under
``PRODUCTION`` unless given ``--confirm``. Exit status 1 when some chain could not be
re-hashed. ``complaints.services.chain_rehash`` does the work.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints.services.chain_rehash import event_chains_rehash


class Command(BaseCommand):
    help = "Re-hash event chains written before the HMAC (only chains intact under the old hash)."

    def add_arguments(self, parser):
        parser.add_argument("--complaint", type=int, action="append", help="complaint id(s)")
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
        parser.add_argument("--confirm", action="store_true", help="required with PRODUCTION=true")

    def handle(self, *args, **options):
        if settings.PRODUCTION and not options["confirm"] and not options["dry_run"]:
            raise CommandError(
                "PRODUCTION is on: re-hashing rewrites the event log's hashes. Run "
                "verify_event_chain and a backup first, then again with --confirm."
            )
        report = event_chains_rehash(complaint_ids=options["complaint"], dry_run=options["dry_run"])
        verb = "would re-hash" if options["dry_run"] else "re-hashed"
        for reference in report.rehashed:
            self.stdout.write(f"{verb} {reference}")
        for reference, why in report.refused:
            self.stdout.write(f"NOT re-hashed {reference}: {why} (under the old hash too)")
        self.stdout.write(
            f"{verb} {len(report.rehashed)}, already keyed {report.intact}, "
            f"refused {len(report.refused)}"
        )
        if report.refused:
            raise CommandError(f"{len(report.refused)} chain(s) not re-hashed: see above")
