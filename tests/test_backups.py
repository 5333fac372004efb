"""The restore drill (deploy/restore-drill.sh) on a real PostgreSQL: a backup restores
completely, and a damaged restore is caught."""

import hashlib
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from .factories import image_file

DRILL = Path(__file__).resolve().parent.parent / "deploy" / "restore-drill.sh"
SERVER = "postgres://postgres@127.0.0.1:5432"


def drill_database_name():
    """A database of this run's own: named after the test database when on PostgreSQL."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        return f"{db['NAME']}_drill"
    return f"nr_sqlite_run_drill_{os.getpid()}"


def psql(url, sql):
    subprocess.run(  # noqa: S603
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, url],  # noqa: S607
        check=True,
        capture_output=True,
    )


# A scratch database of its own on the PostgreSQL server, once per run (not per database).
pytestmark = pytest.mark.stack


@pytest.fixture
def seeded(tmp_path):
    """A small database with awkward names and a media folder with awkward files."""
    server = SERVER
    env_url = os.environ.get("DATABASE_URL", "")
    if env_url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(env_url)
        server = f"{parts.scheme}://{parts.netloc}"
    name = drill_database_name()
    admin_url = f"{server}/postgres"
    psql(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
    psql(admin_url, f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    psql(
        url,
        """
        CREATE TABLE story (id serial PRIMARY KEY, headline text NOT NULL, body text);
        INSERT INTO story (headline, body)
             SELECT 'Story ' || n, repeat('<p>Paragraph</p>', n % 7) FROM generate_series(1, 250) n;
        CREATE TABLE "Photo Credits" (id int, credit text);
        INSERT INTO "Photo Credits" VALUES (1, 'Reuters/Jane Doe'), (2, E'tab\\tand ''quote''');
        CREATE TABLE empty_table (id int);
        CREATE SCHEMA archive;
        CREATE TABLE archive.story (LIKE story);
        INSERT INTO archive.story SELECT * FROM story WHERE id <= 10;
        """,
    )
    media = tmp_path / "media"
    (media / "photos" / "2026" / "12").mkdir(parents=True, exist_ok=True)
    (media / "photos" / "2026" / "12" / "harbour at dawn.jpg").write_bytes(image_file().read())
    (media / "photos" / "2026" / "12" / "ünïcode, commas.png").write_bytes(
        image_file(image_format="PNG").read()
    )
    (media / "renditions").mkdir(exist_ok=True)
    (media / "renditions" / "a-800.webp").write_bytes(hashlib.sha256(b"x").digest() * 100)
    yield url, media
    psql(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
    psql(admin_url, f'DROP DATABASE IF EXISTS "{name}_restore_drill"')


def run_drill(url, media, tmp_path, after_restore=""):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(tmp_path / "backup"),
        "AFTER_RESTORE": after_restore,
    }
    return subprocess.run(  # noqa: S603
        ["bash", str(DRILL)],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_restore_drill_proves_a_complete_restore(seeded, tmp_path):
    url, media = seeded
    result = run_drill(url, media, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rows: 4 tables, 262 rows, all equal" in result.stdout
    assert "files: 3 files, every checksum equal" in result.stdout
    assert (tmp_path / "backup" / "database.dump").read_bytes().startswith(b"PGDMP")
    assert (tmp_path / "backup" / "media.tar.gz").stat().st_size > 0


@pytest.mark.parametrize(
    ("damage", "reported"),
    [
        ('printf x >> "$RESTORED_MEDIA/photos/2026/12/harbour at dawn.jpg"', "media files differ"),
        ('rm "$RESTORED_MEDIA/renditions/a-800.webp"', "media files differ"),
        (
            'psql -q "$RESTORED_DATABASE_URL" -c "DELETE FROM story WHERE id = 7"',
            "row counts differ",
        ),
    ],
)
def test_restore_drill_fails_when_the_restore_differs(seeded, tmp_path, damage, reported):
    url, media = seeded
    result = run_drill(url, media, tmp_path, after_restore=damage)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"restore drill FAILED: {reported}" in result.stderr
    assert "restore drill passed" not in result.stdout
