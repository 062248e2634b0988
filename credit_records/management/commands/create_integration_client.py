from django.core.management.base import BaseCommand, CommandError

from credit_records.choices import Source
from credit_records.models import IntegrationClient
from credit_records.services.clients import integration_client_create


class Command(BaseCommand):
    help = (
        "创建对接系统（法院、经信局款项支付平台、司法局、12345平台）及其推送令牌，令牌只显示一次。"
        " / Create an integration client and print its push token once."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "source",
            choices=[s for s in Source.values if s not in (Source.COMPLAINT, Source.CSV_IMPORT)],
        )

    def handle(self, *args, name, source, **options):
        if IntegrationClient.objects.filter(name=name).exists():
            raise CommandError(f"integration client {name!r} exists")
        client, token = integration_client_create(name=name, source=source)
        self.stderr.write(f"created integration client {client.name} ({client.source}); token:")
        self.stdout.write(token)
