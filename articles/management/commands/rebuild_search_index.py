from django.core.management.base import BaseCommand

from articles.models import Article
from articles.search import refresh_search_vectors

from ..progress import progress_bar

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every story: the stored search vectors on PostgreSQL, "
        "the FTS5 index on SQLite. Saving a story keeps its own current; run this after an "
        "upgrade or a bulk import that bypassed the ORM."
    )

    def handle(self, *args, **options):
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        with progress_bar(self, "search", len(ids)) as bar:
            for done in range(0, len(ids), BATCH):
                batch = ids[done : done + BATCH]
                refresh_search_vectors(batch)
                bar.update(len(batch))
        self.stdout.write(f"Indexed {len(ids)} stories.")
