import logging
import random
import secrets
from contextlib import contextmanager
from datetime import timedelta
from html import escape
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import analytics
from articles.chrome import site_chrome
from articles.demo import draw_illustration, load_demo_content
from articles.homepage import ensure_front_zones
from articles.models import (
    Article,
    ArticleViews,
    AuditEntry,
    Author,
    Byline,
    Correction,
    GalleryPhoto,
    Granularity,
    HomepageZone,
    Photo,
    Section,
    SocialAccount,
)
from articles.roles import sync_groups

DEMO_ACCOUNTS = [("editor", "Editor"), ("writer", "Writer")]
# The demo accounts' passwords, made once and kept (git-ignored) so they stay the same on
# every run; deleting the file gives the accounts new ones.
LOGINS_FILE = settings.BASE_DIR / ".demo-logins"
LOGINS_HEADER = (
    "# The demo accounts of this copy of the newsroom (manage.py seed_demo). Delete this file\n"
    "# for new passwords on the next run.\n"
)
DEMO_TAGLINE = "News of the harbor city and the towns around the bay"
DEMO_DESCRIPTION = (
    "Local news, politics, business, science and sports from Port Aldren and the Aldren Bay."
)
DEMO_SOCIAL_ACCOUNTS = [
    ("mastodon", "@courier@mastodon.social", "https://mastodon.social/@courier"),
    (
        "bluesky",
        "@portaldrencourier.bsky.social",
        "https://bsky.app/profile/portaldrencourier.bsky.social",
    ),
    ("instagram", "@portaldrencourier", "https://www.instagram.com/portaldrencourier/"),
    ("youtube", "Port Aldren Courier", "https://www.youtube.com/@portaldrencourier"),
]


def body_html(paragraphs):
    """Turn the demo's plain paragraphs ("## " subheads, "> " quotes) into body HTML."""
    parts = []
    for paragraph in paragraphs:
        if paragraph.startswith("## "):
            parts.append(f"<h2>{escape(paragraph[3:])}</h2>")
        elif paragraph.startswith("> "):
            parts.append(f"<blockquote><p>{escape(paragraph[2:])}</p></blockquote>")
        else:
            parts.append(f"<p>{escape(paragraph)}</p>")
    return "".join(parts)


class Command(BaseCommand):
    help = (
        "Load the demo newsroom into an empty database: sections, authors, photos and stories "
        "(published, corrected, with a gallery, in review, drafts and scheduled), plus an "
        "editor and a writer account. A database that has stories is left as it is. The "
        "accounts' passwords are kept in a file (--logins-file) and printed last."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-file",
            type=Path,
            default=LOGINS_FILE,
            help="Where the demo accounts' passwords are kept (default: .demo-logins in the "
            "project folder).",
        )
        parser.add_argument(
            "--admin-url", default="/admin/", help="Where to sign in, for the closing line."
        )

    def handle(self, *args, logins_file, admin_url, **options):
        # Every story saved purges its pages from the cache, one log line each: useful when
        # an editor saves one, noise above the logins when the demo saves dozens.
        with quiet_logger("articles.caching"):
            if Article.objects.exists():
                self.stdout.write(
                    "The database has stories already; the demo content loads into an empty "
                    "database only, so nothing was changed."
                )
                logins = self.create_accounts(logins_file)
            else:
                with transaction.atomic():
                    logins = self.create_accounts(logins_file)
                    self.load_demo()
        self.print_logins(logins, logins_file, admin_url)

    def load_demo(self):
        content = load_demo_content()
        self.load_site()
        sections = self.load_sections(content["sections"])
        authors = self.load_authors(content["authors"])
        writer = User.objects.get(username="writer")
        self.load_stories(content["stories"], sections, authors, writer)
        self.load_readership()

    def load_site(self):
        site = site_chrome()["site"]
        site.tagline = DEMO_TAGLINE
        site.description = DEMO_DESCRIPTION
        site.save()
        for order, (network, handle, url) in enumerate(DEMO_SOCIAL_ACCOUNTS):
            SocialAccount.objects.update_or_create(
                site=site, network=network, defaults={"handle": handle, "url": url, "order": order}
            )

    def load_sections(self, rows):
        ensure_front_zones()
        sections = {}
        for order, row in enumerate(rows):
            sections[row["slug"]], _ = Section.objects.update_or_create(
                slug=row["slug"],
                defaults={"name": row["name"], "description": row["description"], "order": order},
            )
            # Each section gets a rail on the homepage, below the lead and top stories.
            HomepageZone.objects.update_or_create(
                section=sections[row["slug"]],
                layout=HomepageZone.Layout.RAIL,
                defaults={"title": row["name"], "size": 4, "order": 10 + order},
            )
        self.stdout.write(f"Sections: {len(sections)}")
        return sections

    def load_authors(self, rows):
        authors = {}
        for row in rows:
            authors[row["slug"]], _ = Author.objects.update_or_create(
                slug=row["slug"],
                defaults={"name": row["name"], "title": row["title"], "bio": row["bio"]},
            )
        self.stdout.write(f"Authors: {len(authors)}")
        return authors

    def load_stories(self, rows, sections, authors, writer):
        now = timezone.now()
        published_rank = scheduled_rank = 0
        articles = {}
        for number, row in enumerate(rows, start=1):
            slug = slugify(row["headline"])[:200]
            created_by = None
            if row["status"] == "published":
                # Newest first in file order, a few hours apart over the past days.
                status, published_at = (
                    Article.Status.PUBLISHED,
                    now - timedelta(hours=1 + published_rank * 3, minutes=17 * published_rank % 60),
                )
                published_rank += 1
            elif row["status"] == "scheduled":
                scheduled_rank += 1
                status, published_at = (
                    Article.Status.PUBLISHED,
                    now + timedelta(days=scheduled_rank),
                )
            elif row["status"] == "review":
                # The demo writer's own submission, waiting for an editor.
                status, published_at, created_by = Article.Status.REVIEW, None, writer
            else:
                status, published_at = Article.Status.DRAFT, None
            article = Article.objects.create(
                slug=slug,
                headline=row["headline"],
                kicker=row["kicker"],
                dek=row["dek"],
                dateline=row["dateline"],
                body=body_html(row["body"]),
                section=sections[row["section"]],
                lead_photo=self.photo_for(row, slug, authors),
                status=status,
                published_at=published_at,
                created_by=created_by,
            )
            articles[row["headline"]] = article
            # A demo story was last edited when it was published, not when it was loaded.
            edited = min(published_at, now) if published_at else now
            Article.objects.filter(pk=article.pk).update(updated_at=edited)
            Byline.objects.bulk_create(
                Byline(article=article, author=authors[author_slug], order=order)
                for order, author_slug in enumerate(row["authors"])
            )
            article.tags.set(row["tags"])
            if note := row.get("review_note"):
                AuditEntry.objects.create(
                    article=article,
                    headline=article.headline,
                    action=AuditEntry.Action.SUBMITTED,
                    user=writer,
                    note=note,
                )
            self.stdout.write(f"\rStories: {number}/{len(rows)}", ending="")
            self.stdout.flush()
        self.stdout.write(f"\rStories: {len(rows)}")
        for row in rows:
            self.load_gallery(articles[row["headline"]], row.get("gallery", []), articles)
            self.load_corrections(articles[row["headline"]], row.get("corrections", []))

    def load_gallery(self, article, items, articles):
        """A gallery of other stories' illustrations, captioned for this story."""
        GalleryPhoto.objects.bulk_create(
            GalleryPhoto(
                article=article,
                photo=articles[item["photo_of"]].lead_photo,
                order=order,
                caption=item["caption"],
            )
            for order, item in enumerate(items)
        )

    def load_corrections(self, article, items):
        editor = User.objects.get(username="editor")
        for item in items:
            Correction.objects.create(
                article=article,
                kind=item["kind"],
                text=item["text"],
                created_by=editor,
                created_at=article.published_at + timedelta(hours=item["hours_after_publishing"]),
            )

    def load_readership(self):
        """Two days of made-up readership, so the dashboard and "most read" have figures."""
        if ArticleViews.objects.exists():
            return
        now = timezone.now()
        rng = random.Random(2026)
        rows = []
        for rank, article in enumerate(Article.objects.published().newest_first()[:30]):
            appeal = rng.uniform(0.3, 1.5) / (1 + rank / 8)
            for hours_ago in range(48):
                hour = analytics.hour_start(now - timedelta(hours=hours_ago))
                if hour < article.published_at - timedelta(hours=1):
                    break
                daytime = 0.4 + 0.6 * (8 <= timezone.localtime(hour).hour <= 22)
                views = int(rng.gauss(60, 15) * appeal * daytime)
                if views > 0:
                    rows.append(
                        ArticleViews(
                            article=article,
                            granularity=Granularity.HOUR,
                            bucket_start=hour,
                            views=views,
                        )
                    )
        ArticleViews.objects.bulk_create(rows)
        self.stdout.write(f"Readership: {len(rows)} hourly counts")

    def photo_for(self, row, slug, authors):
        if "photo_alt" not in row:
            return None  # A brief has no picture.
        title = f"Illustration: {row['headline']}"[:200]
        photo = Photo.objects.filter(title=title).first()
        if photo is None:
            photo = Photo(title=title)
            # 1800 x 1200: large enough for 1200 px wide 16:9, 4:3 and 1:1 crops (JSON-LD).
            picture = draw_illustration(slug, width=1800, height=1200)
            photo.image.save(f"{slug[:60]}.jpg", ContentFile(picture), save=False)
        photographer = authors[row["authors"][0]].name
        photo.alt_text = row["photo_alt"]
        photo.caption = row["photo_caption"]
        photo.credit = f"Courier illustration/{photographer}"
        photo.save()
        return photo

    def create_accounts(self, logins_file):
        """The demo editor and writer, with the passwords kept in ``logins_file`` (made
        there for an account that has none yet), so the logins printed stay true."""
        sync_groups(apps)
        kept = read_logins(logins_file)
        logins = {
            username: kept.get(username) or secrets.token_urlsafe(12)
            for username, _ in DEMO_ACCOUNTS
        }
        if logins != kept:
            write_logins(logins_file, logins)
        for username, group_name in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if not user.check_password(logins[username]) or not user.is_staff:
                user.set_password(logins[username])
                user.is_staff = True
                user.save()
            user.groups.set([Group.objects.get(name=group_name)])
        return logins

    def print_logins(self, logins, logins_file, admin_url):
        self.stdout.write(f"\nDemo accounts (passwords kept in {logins_file}):")
        for username, group_name in DEMO_ACCOUNTS:
            self.stdout.write(f"  {group_name:7} login: {username}  password: {logins[username]}")
        self.stdout.write(f"Sign in at {admin_url}")


def read_logins(path):
    """The usernames and passwords kept in ``path`` ("username password" lines)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    pairs = (line.split() for line in text.splitlines() if not line.startswith("#"))
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def write_logins(path, logins):
    path.write_text(
        LOGINS_HEADER
        + "".join(f"{username} {password}\n" for username, password in logins.items()),
        encoding="utf-8",
    )
    path.chmod(0o600)


@contextmanager
def quiet_logger(name, level=logging.WARNING):
    """Only ``level`` and above from the logger ``name`` while the block runs."""
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)
