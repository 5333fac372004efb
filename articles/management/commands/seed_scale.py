"""Fill the database with many realistic stories, for benchmarks and admin checks at scale.

On PostgreSQL the rows go in with COPY, with the article tables' secondary indexes and
constraints dropped first and rebuilt once at the end (one sort per index instead of a
million B-tree insertions), and the search vectors computed in between, before the GIN index
exists; a million stories take about ten minutes on two cores. Elsewhere (SQLite) it uses
bulk_create in batches, then indexes the stories for search. Photos come from a small shared
pool, as a real archive reuses agency pictures, so the media folder stays small.
"""

import random
import time
from datetime import timedelta
from html import escape
from itertools import accumulate

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.demo import draw_illustration, load_demo_content
from articles.homepage import ensure_front_zones
from articles.models import Article, Author, Byline, HomepageZone, Photo, Section, TaggedArticle
from articles.search import refresh_search_vectors

from ..progress import progress_bar

SECTIONS = [
    ("City", "Neighborhoods, City Hall services, schools and transit."),
    ("Politics", "The council, the mayor's office, campaigns and ballots."),
    ("Business", "The port, jobs, shops and the regional economy."),
    ("Science", "Research at the university, the bay's ecology and health."),
    ("Sports", "The Harbor FC, school teams and the rowing clubs."),
    ("Culture", "Theatre, music, books and the city's festivals."),
    ("Opinion", "Columns, editorials and letters from readers."),
    ("Weather", "Forecasts, storms and the climate along the bay."),
]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonah",
    "Kaia",
    "Luis",
    "Maya",
    "Noor",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tomas",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Brennan",
    "Castillo",
    "Dlamini",
    "Eriksen",
    "Fontaine",
    "Gallo",
    "Haddad",
    "Ito",
    "Jovanovic",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Sato",
    "Tanaka",
    "Ueda",
    "Vargas",
    "Walsh",
    "Xu",
]
SUBJECTS = [
    "Council",
    "Mayor",
    "Port authority",
    "School board",
    "Harbor FC",
    "University",
    "Ferry operator",
    "Transit agency",
    "Fire department",
    "Library",
    "Hospital",
    "Fishermen",
    "Tenants",
    "Shop owners",
    "Rowers",
    "Festival organisers",
    "Water board",
    "Police",
    "Museum",
    "Union",
]
VERBS = [
    "approves",
    "rejects",
    "delays",
    "unveils",
    "debates",
    "cuts",
    "expands",
    "questions",
    "defends",
    "celebrates",
    "warns about",
    "votes on",
    "plans",
    "opens",
    "closes",
    "reviews",
]
OBJECTS = [
    "budget for the new year",
    "ferry timetable",
    "harbor dredging plan",
    "school lunch contract",
    "bike lane on Quay Street",
    "stadium lease",
    "rent rules",
    "storm-drain repairs",
    "night- market permit",
    "library hours",
    "bridge inspection",
    "fish quota",
    "water rates",
    "summer programme",
    "museum wing",
    "bus route changes",
    "pier restoration",
    "tree-planting drive",
    "heat plan",
    "police review",
]
KICKERS = ["", "", "", "Analysis", "Explainer", "Exclusive", "Live", "Update", "Profile"]
TAG_WORDS = [
    "ferries",
    "budget",
    "schools",
    "housing",
    "transit",
    "harbor",
    "climate",
    "storms",
    "elections",
    "council",
    "football",
    "rowing",
    "theatre",
    "music",
    "books",
    "health",
    "hospital",
    "police",
    "courts",
    "tourism",
    "fishing",
    "port",
    "jobs",
    "taxes",
    "bridges",
    "parks",
    "water",
    "energy",
    "festivals",
    "museums",
    "university",
    "research",
]

ARTICLE_COLUMNS = [
    "id",
    "headline",
    "slug",
    "kicker",
    "dek",
    "dateline",
    "body",
    "section_id",
    "lead_photo_id",
    "lead_photo_caption",
    "status",
    "published_at",
    "first_published_at",
    "created_at",
    "updated_at",
    "version",
]
# Share of stories that are not live: drafts, in review, scheduled.
DRAFT_SHARE, REVIEW_SHARE, SCHEDULED_SHARE = 0.02, 0.01, 0.005


class Command(BaseCommand):
    help = (
        "Add N realistic stories (sections, authors, tags, photos from a shared pool) for "
        "benchmarks and admin checks at scale. Uses COPY on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="How many stories to add.")
        parser.add_argument("--authors", type=int, default=300)
        parser.add_argument("--tags", type=int, default=2000)
        parser.add_argument("--photos", type=int, default=40, help="Size of the shared pool.")
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (repeatable).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be created and stop."
        )

    def handle(self, *args, **options):
        count = options["articles"]
        if count < 1:
            raise CommandError("--articles must be at least 1.")
        if options["dry_run"]:
            self.stdout.write(
                f"Would add {count:,} stories with up to {options['authors']} authors, "
                f"{options['tags']} tags and a pool of {options['photos']} photos "
                f"({'COPY' if connection.vendor == 'postgresql' else 'bulk_create'})."
            )
            return
        self.rng = random.Random(options["seed"])  # noqa: S311 (made-up content)
        started = time.monotonic()
        self.sections = self.ensure_sections()
        self.author_ids = self.ensure_authors(options["authors"])
        self.tag_ids = self.ensure_tags(options["tags"])
        # A newsroom's tags follow a long tail: a few ("ferries", "budget") are on a good
        # share of stories, most on a handful. Zipf weights, the first-made tags commonest.
        self.tag_weights = list(accumulate(1 / rank for rank in range(1, len(self.tag_ids) + 1)))
        self.photo_ids = self.ensure_photos(options["photos"])
        self.ensure_rails()
        self.paragraphs = self.text_pool()
        first_id = (Article.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        if connection.vendor == "postgresql":
            self.copy_postgresql(first_id, count, options["batch"])
        else:
            self.bulk_create(first_id, count, options["batch"])
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count:,} stories in {elapsed:.1f}s "
                f"({Article.objects.count() if count <= 100_000 else 'many'} in total)."
            )
        )

    def index_for_search(self, first_id, count, batch):
        with progress_bar(self, "search", count) as bar:
            for start in range(first_id, first_id + count, batch):
                ids = list(range(start, min(start + batch, first_id + count)))
                refresh_search_vectors(ids)
                bar.update(len(ids))

    # The small tables -------------------------------------------------------------------

    def ensure_sections(self):
        for order, (name, description) in enumerate(SECTIONS):
            Section.objects.get_or_create(
                slug=slugify(name),
                defaults={"name": name, "description": description, "order": order},
            )
        return list(Section.objects.values_list("pk", "name"))

    def ensure_authors(self, wanted):
        have = Author.objects.count()
        new = []
        for n in range(have, wanted):
            name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n // len(FIRST_NAMES) % 24]}"
            new.append(
                Author(
                    name=name,
                    slug=f"{slugify(name)}-{n}",
                    title="Staff reporter",
                    bio=f"{name} reports for the newsroom.",
                )
            )
        Author.objects.bulk_create(new, batch_size=1000)
        return list(Author.objects.values_list("pk", flat=True))

    def ensure_tags(self, wanted):
        have = Tag.objects.count()
        new = []
        for n in range(have, wanted):
            first = TAG_WORDS[n % len(TAG_WORDS)]
            second = TAG_WORDS[(n // len(TAG_WORDS)) % len(TAG_WORDS)]
            name = first if n < len(TAG_WORDS) else f"{first} {second} {n}"
            new.append(Tag(name=name, slug=slugify(name)))
        Tag.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        return list(Tag.objects.order_by("pk").values_list("pk", flat=True))

    def ensure_photos(self, wanted):
        have = Photo.objects.count()
        if have < wanted:
            bar = progress_bar(self, "photos", wanted - have)
            for n in range(have, wanted):
                photo = Photo(
                    title=f"Pool photo {n + 1}",
                    alt_text="An illustration of the harbour city at dusk",
                    caption="The harbour city from the east pier.",
                    credit="Newsroom/Illustration",
                )
                photo.image.save(
                    f"pool-{n + 1}.jpg", ContentFile(draw_illustration(n, 960, 640)), save=False
                )
                # Stored dimensions: without them Django opens the file on every load.
                photo.width, photo.height = 960, 640
                photo.save()
                bar.update(1)
            bar.close()
        Photo.objects.filter(title__startswith="Pool photo", width__isnull=True).update(
            width=960, height=640
        )
        return list(Photo.objects.values_list("pk", flat=True))

    def ensure_rails(self):
        ensure_front_zones()
        if not HomepageZone.objects.filter(layout=HomepageZone.Layout.RAIL).exists():
            for order, (pk, name) in enumerate(self.sections[:5], start=10):
                HomepageZone.objects.create(
                    title=name, layout=HomepageZone.Layout.RAIL, section_id=pk, order=order
                )

    def text_pool(self):
        stories = load_demo_content()["stories"]
        paragraphs = [
            p for story in stories for p in story.get("body", []) if not p.startswith(("#", ">"))
        ]
        return [f"<p>{escape(p)}</p>" for p in paragraphs] or ["<p>The council met.</p>"]

    # The stories ------------------------------------------------------------------------

    def rows(self, first_id, count):
        """Yield (article row, author ids, tag ids), oldest first, one every ~5 minutes up to
        now: ids grow with time, as in a real archive."""
        rng, now = self.rng, timezone.now()
        spacing = timedelta(minutes=5)
        for n in range(count):
            pk = first_id + n
            subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
            headline = f"{subject} {verb} {obj}"
            roll = rng.random()
            age = spacing * (count - 1 - n)
            published_at = now - age - timedelta(seconds=rng.randint(0, 240))
            if roll < DRAFT_SHARE:
                status, published_at = Article.Status.DRAFT, None
            elif roll < DRAFT_SHARE + REVIEW_SHARE:
                status, published_at = Article.Status.REVIEW, None
            else:
                status = Article.Status.PUBLISHED
                # Only recent work is scheduled (and drafts are rare in the old archive).
                recent = n >= count - 1000
                if recent and roll < DRAFT_SHARE + REVIEW_SHARE + SCHEDULED_SHARE:
                    published_at = now + timedelta(hours=rng.randint(1, 72))
            stamp = published_at or now - age
            section_id = self.sections[n % len(self.sections)][0]
            body = "".join(rng.sample(self.paragraphs, min(5, len(self.paragraphs))))
            row = (
                pk,
                headline,
                slugify(headline)[:200],
                rng.choice(KICKERS),
                f"What the {subject.lower()} decided, and what it means for the city.",
                "PORT ALDREN",
                body,
                section_id,
                self.photo_ids[n % len(self.photo_ids)] if self.photo_ids and n % 5 else None,
                "",
                status,
                published_at,
                published_at if status == Article.Status.PUBLISHED else None,
                stamp,
                stamp + timedelta(minutes=rng.randint(0, 90)),
                1,  # the first version (COPY does not apply the model's defaults)
            )
            authors = rng.sample(self.author_ids, 1 if rng.random() < 0.7 else 2)
            tags = []
            if self.tag_ids:
                picks = rng.choices(self.tag_ids, cum_weights=self.tag_weights, k=rng.randint(1, 4))
                tags = list(dict.fromkeys(picks))
            yield row, authors, tags

    def copy_postgresql(self, first_id, count, batch):
        tables = [Article._meta.db_table, Byline._meta.db_table, TaggedArticle._meta.db_table]
        with transaction.atomic(), connection.cursor() as cursor:
            # Check deferred foreign keys of rows made so far, so the tables can be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            saved_links = self.drop_indexes(cursor, tables[1:])
            saved_stories = self.drop_indexes(cursor, tables[:1])
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            bar = progress_bar(self, "stories", count)
            article_sql = f"COPY {tables[0]} ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN"
            byline_sql = f'COPY {tables[1]} (article_id, author_id, "order") FROM STDIN'
            tag_sql = f"COPY {tables[2]} (content_object_id, tag_id) FROM STDIN"
            done, rows = 0, self.rows(first_id, count)
            while done < count:
                chunk = [next(rows) for _ in range(min(batch, count - done))]
                with raw.copy(article_sql) as copy:
                    for row, _, _ in chunk:
                        copy.write_row(row)
                with raw.copy(byline_sql) as copy:
                    for row, authors, _ in chunk:
                        for order, author_id in enumerate(authors):
                            copy.write_row((row[0], author_id, order))
                with raw.copy(tag_sql) as copy:
                    for row, _, tags in chunk:
                        for tag_id in tags:
                            copy.write_row((row[0], tag_id))
                done += len(chunk)
                bar.update(len(chunk))
            bar.close()
            # COPY bypasses the signals that keep search vectors current. They are computed
            # before the stories' own indexes exist (no index to maintain per row, the GIN
            # index is built once after), reading bylines and tags through theirs.
            self.restore_indexes(cursor, saved_links, "link indexes")
            for table in ["taggit_tag", Author._meta.db_table, Photo._meta.db_table, *tables]:
                cursor.execute(f"ANALYZE {table}")  # so the vectors' subqueries use indexes
            self.index_for_search(first_id, count, batch)
            self.restore_indexes(cursor, saved_stories, "indexes")
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        with connection.cursor() as cursor:
            started = time.monotonic()
            self.stdout.write("Vacuuming and analyzing tables...", ending="")
            for table in tables:
                # VACUUM sets the visibility map, so counts can be index-only scans. (It
                # cannot run inside a transaction, e.g. a test's: ANALYZE only there.)
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{vacuum} {table}")
            self.stdout.write(f" {time.monotonic() - started:.1f}s")

    def drop_indexes(self, cursor, tables):
        """Drop secondary indexes and constraints (keeping primary keys); return the SQL that
        makes them again."""
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f', 'c')
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        return constraints, indexes

    def restore_indexes(self, cursor, saved, label):
        constraints, indexes = saved
        steps = [definition for _, definition in indexes]
        # Unique and check constraints first, then foreign keys (validated in one pass each).
        constraints = sorted(constraints, key=lambda c: c[2].startswith("FOREIGN KEY"))
        steps += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints]
        with progress_bar(self, label, len(steps)) as bar:
            for sql in steps:
                cursor.execute(sql)
                bar.update(1)

    def bulk_create(self, first_id, count, batch):
        bar = progress_bar(self, "stories", count)
        done, rows = 0, self.rows(first_id, count)
        while done < count:
            chunk = [next(rows) for _ in range(min(batch, count - done))]
            with transaction.atomic():
                Article.objects.bulk_create(
                    [
                        Article(**dict(zip(ARTICLE_COLUMNS, row, strict=True)))
                        for row, _, _ in chunk
                    ],
                    batch_size=500,
                )
                Byline.objects.bulk_create(
                    [
                        Byline(article_id=row[0], author_id=author_id, order=order)
                        for row, authors, _ in chunk
                        for order, author_id in enumerate(authors)
                    ],
                    batch_size=1000,
                )
                TaggedArticle.objects.bulk_create(
                    [
                        TaggedArticle(content_object_id=row[0], tag_id=tag_id)
                        for row, _, tags in chunk
                        for tag_id in tags
                    ],
                    batch_size=1000,
                )
            done += len(chunk)
            bar.update(len(chunk))
        bar.close()
        # bulk_create sends no signals: the stories join SQLite's search index here.
        self.index_for_search(first_id, count, batch)
