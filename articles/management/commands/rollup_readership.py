from django.core.management.base import BaseCommand

from articles import analytics


class Command(BaseCommand):
    help = (
        "Fold hourly readership counts older than a week into daily counts, so the table "
        "stays small. Safe to run at any time (for example daily from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say how many rows would be folded; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        folded = analytics.roll_up(dry_run=dry_run)
        verb = "Would fold" if dry_run else "Folded"
        self.stdout.write(f"{verb} {folded} hourly rows into daily ones.")
