"""``manage.py deliver_webhooks``: number new changes, fan them out and deliver what is due,
once (embedded mode has no worker or beat; with a broker the worker does this by itself)."""

from django.core.management.base import BaseCommand

from sharing.tasks import webhooks_run


class Command(BaseCommand):
    help = "Deliver the due webhook deliveries once (embedded mode has no worker)."

    def handle(self, *args, **options):
        delivered = webhooks_run()
        self.stdout.write(f"delivered: {delivered}\n")
