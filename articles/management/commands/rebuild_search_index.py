from django.core.management.base import BaseCommand
from django.db import connection

from articles.models import Article
from articles.search import refresh_search_vectors

from ..progress import progress_bar

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Recompute every story's stored search vector (PostgreSQL). Saving a story keeps its "
        "own current; run this after an upgrade or a bulk import that bypassed the ORM."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite searches the stories directly; there is no index to build.")
            return
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        with progress_bar(self, "search", len(ids)) as bar:
            for done in range(0, len(ids), BATCH):
                batch = ids[done : done + BATCH]
                refresh_search_vectors(batch)
                bar.update(len(batch))
        self.stdout.write(f"Indexed {len(ids)} stories.")
