from django.core.management.base import BaseCommand

from articles import workflow


class Command(BaseCommand):
    help = (
        f"Delete for good the stories that have been in the trash longer than "
        f"{workflow.TRASH_DAYS} days (or --days). Their audit entries are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=workflow.TRASH_DAYS)
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            self.stderr.write("--days must be at least 1.")
            return
        expired = list(workflow.expired_trash(days))
        verb = "Would delete" if dry_run else "Deleting"
        for article in expired:
            trashed = article.trashed_at.strftime("%Y-%m-%d")
            self.stdout.write(f"{verb} #{article.pk} “{article}” (trashed {trashed})")
            if not dry_run:
                workflow.purge(article)
        summary = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            self.style.SUCCESS(f"{len(expired)} stories {summary}; trash older than {days} days.")
        )
