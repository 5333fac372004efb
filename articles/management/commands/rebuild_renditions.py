from django.core.management.base import BaseCommand

from articles.images import plan_renditions
from articles.models import Photo

from ..progress import progress_bar


class Command(BaseCommand):
    help = (
        "Make the renditions of every photo again (or of those given by id, or only of photos "
        "missing some). Run after changing the rendition sizes or formats, or after importing "
        "photos around the model."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these photo ids.")
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only photos missing some of the renditions the current sizes call for.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be rebuilt; change nothing."
        )

    def handle(self, *args, ids, missing, dry_run, **options):
        photos = Photo.objects.order_by("pk").prefetch_related("renditions")
        if ids:
            photos = photos.filter(pk__in=ids)
        todo = [photo for photo in photos if not missing or not _complete(photo)]
        verb = "Would rebuild" if dry_run else "Rebuilding"
        self.stdout.write(f"{verb} renditions of {len(todo)} photos.")
        if dry_run:
            for photo in todo:
                self.stdout.write(f"  #{photo.pk} {photo}")
            return
        failed = 0
        bar = progress_bar(self, "renditions", len(todo))
        for photo in todo:
            try:
                photo.make_renditions()
            except Exception as error:  # One unreadable file must not stop the rest.
                failed += 1
                self.stderr.write(f"\n#{photo.pk} {photo}: {error}")
            bar.update(1)
        bar.close()
        summary = f"Rebuilt renditions of {len(todo) - failed} photos"
        summary += f"; {failed} failed." if failed else "."
        self.stdout.write(
            self.style.SUCCESS(summary) if not failed else self.style.WARNING(summary)
        )


def _complete(photo):
    """True when every rendition the current specs plan for this photo exists (a small
    original has fewer than the full list: nothing is upscaled)."""
    if not photo.width:
        return False
    planned = {
        (spec.name, fmt)
        for spec, _box, _size in plan_renditions(photo.width, photo.height)
        for fmt in spec.formats
    }
    return planned <= {(r.spec, r.format) for r in photo.renditions.all()}
