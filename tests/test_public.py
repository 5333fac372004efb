"""What an anonymous reader sees: article, section, tag, author and search pages."""

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_author, make_photo, make_section
from .workflow_helpers import management_form

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_full_anatomy(client):
    photo = make_photo(caption="Ferries wait at Pier 4.", credit="Reuters/Jane Doe")
    ana, ben = make_author(name="Ana Ruiz"), make_author(name="Ben Okafor")
    article = make_article(
        kicker="Harbor",
        headline="Dredging begins in the outer harbor",
        dek="The $40 million project will take two years.",
        dateline="PORT ALDREN",
        body="<p>Crews began work on Monday.</p>",
        lead_photo=photo,
        authors=[ana, ben],
        tags=["harbor", "city budget"],
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    for text in (
        "Harbor",
        "Dredging begins in the outer harbor",
        "The $40 million project",
        '<p class="dateline">PORT ALDREN</p>',
        "Crews began work on Monday.",
        f'<a class="author" href="/author/{ana.slug}/">Ana Ruiz</a> and '
        f'<a class="author" href="/author/{ben.slug}/">Ben Okafor</a>',
        '<a href="/tag/harbor/" rel="tag">harbor</a>',
        '<a href="/tag/city-budget/" rel="tag">city budget</a>',
    ):
        assert text in html
    published = timezone.localtime(article.published_at).replace(microsecond=0)
    assert f'datetime="{published.isoformat()}"' in html
    figure = html.split("<figure", 1)[1].split("</figure>", 1)[0]
    figcaption = figure.split("<figcaption>", 1)[1]
    assert "Ferries wait at Pier 4." in figcaption
    assert "Photo: Reuters/Jane Doe" in figcaption
    assert f'alt="{photo.alt_text}"' in figure


def test_story_caption_replaces_the_photo_caption(client):
    photo = make_photo(caption="Library caption.")
    article = make_article(lead_photo=photo, lead_photo_caption="Caption for this story.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Caption for this story." in html
    assert "Library caption." not in html


def test_related_stories_share_tags_or_section_and_are_published(client):
    section, other = make_section(), make_section()
    article = make_article(section=section, tags=["harbor"])
    same_tag = make_article(section=other, tags=["harbor"], headline="Tagged sibling")
    same_section = make_article(section=section, headline="Section sibling")
    make_article(section=section, tags=["harbor"], headline="Draft sibling", status="draft")
    make_article(section=other, headline="Unrelated story")
    html = client.get(article.get_absolute_url()).content.decode()
    related = html.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    assert same_tag.headline in related and same_section.headline in related
    assert related.index(same_tag.headline) < related.index(same_section.headline)
    assert "Draft sibling" not in html
    assert "Unrelated story" not in related


def test_share_module_works_without_third_party_scripts(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    share = html.split('class="share"', 1)[1].split("</section>", 1)[0]
    assert "mailto:?subject=" in share and "bsky.app/intent/compose" in share
    scripts = [line for line in html.splitlines() if "<script" in line]
    assert all('src="/static/' in line or "application/ld+json" in line for line in scripts)


def test_old_slug_redirects_permanently_to_the_canonical_url(client):
    article = make_article(slug="new-slug")
    response = client.get(f"/news/{article.pk}/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_unpublished_story_at_an_old_slug_is_404_not_a_redirect(client):
    article = make_article(slug="new-slug", status=Article.Status.DRAFT)
    assert client.get(f"/news/{article.pk}/old-slug/").status_code == 404


def test_masthead_shows_todays_date_in_the_newsroom_time_zone_and_sections(client):
    section = make_section(name="Harbor news")
    html = client.get("/").content.decode()
    assert f'<time datetime="{timezone.localdate():%Y-%m-%d}">' in html
    assert f'href="/section/{section.slug}/">Harbor news</a>' in html
    assert 'action="/search/"' in html


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/section/{section}/", "Harbor news"),
        ("/tag/ferries/", "ferries"),
        ("/author/{author}/", "Ana Ruiz"),
    ],
)
def test_section_tag_and_author_pages_list_public_stories_newest_first(client, url, heading):
    section = make_section(name="Harbor news")
    author = make_author(name="Ana Ruiz", bio="Covers the harbor.")
    older = make_article(
        section=section,
        authors=[author],
        tags=["ferries"],
        published_at=timezone.now() - timezone.timedelta(days=2),
    )
    newer = make_article(section=section, authors=[author], tags=["ferries"])
    make_article(
        section=section,
        authors=[author],
        tags=["ferries"],
        headline="Hidden draft",
        status=Article.Status.DRAFT,
    )
    html = client.get(url.format(section=section.slug, author=author.slug)).content.decode()
    assert f">{heading}</h1>" in html
    assert html.index(newer.headline) < html.index(older.headline)
    assert "Hidden draft" not in html


def test_author_page_shows_bio_and_portrait(client):
    from .factories import image_file

    author = make_author(name="Ana Ruiz", bio="Covers the harbor.", portrait=image_file())
    html = client.get(author.get_absolute_url()).content.decode()
    assert "Covers the harbor." in html
    assert 'alt="Portrait of Ana Ruiz"' in html


def test_listing_pages_paginate_and_pages_past_the_end_are_404(client):
    section = make_section()
    for _ in range(21):
        make_article(section=section)
    url = section.get_absolute_url()
    first = client.get(url).content.decode()
    assert first.count('class="card-headline"') == 20
    assert 'rel="next"' in first
    assert client.get(url + "?page=2").content.decode().count('class="card-headline"') == 1
    for bad in ("?page=3", "?page=999999", "?page=0", "?page=abc", "?page=-1"):
        assert client.get(url + bad).status_code == 404


def test_unknown_section_tag_and_author_are_404_in_the_sites_design(client):
    for url in ("/section/nope/", "/tag/nope/", "/author/nope/", "/news/999/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "We can’t find that page" in response.content.decode()


def test_public_pages_send_security_headers_and_no_cookies(client):
    article = make_article()
    for url in ("/", article.get_absolute_url(), "/search/?q=x", "/feeds/rss/", "/nope/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert not response.cookies, url


def test_hsts_is_sent_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_link_their_feeds(client):
    section = make_section()
    html = client.get(section.get_absolute_url()).content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/feeds/rss/"' in html
    assert f'href="/section/{section.slug}/rss/"' in html
    assert f'href="/section/{section.slug}/atom/"' in html


def warm(client, url):
    """Fill the site-wide caches (site settings, sections) as any earlier request would."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("extra", [1, 10])
def test_article_query_count_does_not_grow_with_authors_or_tags(
    client, django_assert_num_queries, extra
):
    section = make_section()
    authors = [make_author() for _ in range(extra)]
    tags = [f"tag {n}" for n in range(extra)]
    for _ in range(5):
        make_article(section=section, authors=authors, tags=tags, lead_photo=make_photo())
    article = make_article(section=section, lead_photo=make_photo(), authors=authors, tags=tags)
    warm(client, article.url)
    # the article (+section, photo, whether it has corrections or a gallery), which also
    # decides 404/redirect/render; bylines; lead renditions; tags; related: candidates by
    # tag, by section, the ranked stories (+section, photo), their bylines, their renditions;
    # most read. (Warm fragments skip them all: tests/test_caching.py.)
    with django_assert_num_queries(10):
        assert client.get(article.url).status_code == 200


@pytest.mark.parametrize("stories", [5, 50])
@pytest.mark.parametrize("kind", ["section", "tag", "author", "search"])
def test_listing_query_count_does_not_grow_with_stories(
    client, django_assert_num_queries, stories, kind
):
    section, author = make_section(), make_author()
    for _ in range(stories):
        make_article(
            section=section,
            authors=[author, make_author()],
            tags=["ferries", "x"],
            lead_photo=make_photo(),
            headline="Ferry news",
        )
    url = {
        "section": section.get_absolute_url(),
        "tag": "/tag/ferries/",
        "author": author.get_absolute_url(),
        "search": "/search/?q=ferry",
    }[kind]
    warm(client, url)
    # the subject (not for search); for tags and authors the ids of their newest stories;
    # count; page of stories (+section, photo); bylines; photo renditions.
    with django_assert_num_queries({"search": 4, "section": 5}.get(kind, 6)):
        assert client.get(url).status_code == 200


def test_server_errors_get_a_page_in_the_sites_design(client, monkeypatch):
    from articles import views

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views, "compose_homepage", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "/static/css/site.css" in html
    assert "the database went away" not in html


def test_staff_edit_the_site_name_tagline_and_social_accounts_in_the_admin(
    editor_client, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    assert "The Port Aldren Courier" in client.get("/").content.decode()
    url = reverse("admin:articles_sitesettings_change", args=[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url,
            {
                "name": "The Aldren Evening Star",
                "tagline": "Since 1884",
                "description": "",
                **management_form("social_accounts", total=1),
                "social_accounts-0-network": "mastodon",
                "social_accounts-0-handle": "@star@example.social",
                "social_accounts-0-url": "https://example.social/@star",
                "social_accounts-0-order": 0,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get("/").content.decode()
    assert '<a href="/">The Aldren Evening Star</a>' in html
    assert "Since 1884" in html
    assert 'href="https://example.social/@star"' in html


def test_a_bad_social_account_address_gets_a_clear_error(editor_client):
    from django.urls import reverse

    from articles.chrome import site_chrome

    site_chrome()  # the settings row exists once any page was shown
    response = editor_client.post(
        reverse("admin:articles_sitesettings_change", args=[1]),
        {
            "name": "Courier",
            "tagline": "",
            "description": "",
            **management_form("social_accounts", total=1),
            "social_accounts-0-network": "x",
            "social_accounts-0-handle": "@c",
            "social_accounts-0-url": "javascript:alert(1)",
            "social_accounts-0-order": 0,
        },
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
