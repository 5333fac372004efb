import random
import secrets
from datetime import timedelta
from html import escape

from django.apps import apps
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
    Author,
    Byline,
    Granularity,
    HomepageZone,
    Photo,
    Section,
    SocialAccount,
)
from articles.roles import sync_groups

DEMO_ACCOUNTS = [("editor", "Editor"), ("writer", "Writer")]
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
        "Load the demo newsroom: sections, authors, photos and stories (published, drafts and "
        "scheduled), plus an editor and a writer account. Safe to run again: nothing is "
        "duplicated, and the accounts get new passwords, which are printed."
    )

    def handle(self, *args, **options):
        content = load_demo_content()
        with transaction.atomic():
            self.load_site()
            sections = self.load_sections(content["sections"])
            authors = self.load_authors(content["authors"])
            self.load_stories(content["stories"], sections, authors)
            self.load_readership()
        self.create_accounts()

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

    def load_stories(self, rows, sections, authors):
        now = timezone.now()
        published_rank = scheduled_rank = 0
        created = 0
        for number, row in enumerate(rows, start=1):
            slug = slugify(row["headline"])[:200]
            photo = self.photo_for(row, slug, authors)
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
            else:
                status, published_at = Article.Status.DRAFT, None
            article, was_created = Article.objects.update_or_create(
                slug=slug,
                defaults={
                    "headline": row["headline"],
                    "kicker": row["kicker"],
                    "dek": row["dek"],
                    "dateline": row["dateline"],
                    "body": body_html(row["body"]),
                    "section": sections[row["section"]],
                    "lead_photo": photo,
                    "status": status,
                    "published_at": published_at,
                },
            )
            created += was_created
            # A demo story was last edited when it was published, not when it was loaded.
            edited = min(published_at, now) if published_at else now
            Article.objects.filter(pk=article.pk).update(updated_at=edited)
            article.bylines.all().delete()
            Byline.objects.bulk_create(
                Byline(article=article, author=authors[author_slug], order=order)
                for order, author_slug in enumerate(row["authors"])
            )
            article.tags.set(row["tags"])
            self.stdout.write(f"\rStories: {number}/{len(rows)}", ending="")
            self.stdout.flush()
        self.stdout.write(f"\rStories: {len(rows)} ({created} new)")

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

    def create_accounts(self):
        sync_groups(apps)
        self.stdout.write("\nDemo accounts (new passwords on every run):")
        for username, group_name in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(f"  {group_name:7} login: {username}  password: {password}")
        self.stdout.write("Log in at /admin/ on the site.")
