"""The homepage's curated zones: pins, back-fill, no duplicates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.homepage import compose_homepage
from articles.models import Article, HomepageZone, ZonePin

from .factories import make_article, make_section
from .workflow_helpers import management_form

pytestmark = pytest.mark.django_db


def hours_ago(hours):
    return timezone.now() - timezone.timedelta(hours=hours)


@pytest.fixture
def zones():
    """The Lead and Top zones the migration creates, plus a rail for one section."""
    section = make_section(name="Harbor")
    rail = HomepageZone.objects.create(
        title="Harbor", layout=HomepageZone.Layout.RAIL, section=section, size=3, order=10
    )
    return {
        "lead": HomepageZone.objects.get(layout=HomepageZone.Layout.LEAD),
        "top": HomepageZone.objects.get(layout=HomepageZone.Layout.TOP),
        "rail": rail,
        "section": section,
    }


def pin_form(position, article):
    """The lead zone's admin form with one pinned story."""
    return {
        "title": "Lead story",
        "layout": "lead",
        "section": "",
        "size": 1,
        "order": 0,
        **management_form("pins", total=1),
        "pins-0-position": position,
        "pins-0-article": article.pk,
    }


def test_unpinned_positions_back_fill_with_the_newest_stories(client, zones):
    stories = [make_article(section=zones["section"], published_at=hours_ago(n)) for n in range(9)]
    page = compose_homepage()
    lead, top, rail = (zone.articles for zone in page.zones)
    assert lead == [stories[0]]
    assert top == stories[1:5]
    assert rail == stories[5:8]
    assert page.latest == stories[8:]


def test_a_pinned_story_takes_its_position_and_nothing_appears_twice(client, zones):
    stories = [make_article(section=zones["section"], published_at=hours_ago(n)) for n in range(12)]
    oldest = stories[-1]
    ZonePin.objects.create(zone=zones["lead"], position=1, article=oldest)
    ZonePin.objects.create(zone=zones["rail"], position=2, article=stories[0])

    page = compose_homepage()
    lead, top, rail = (zone.articles for zone in page.zones)
    assert lead == [oldest]
    assert top == stories[1:5]
    assert rail == [stories[5], stories[0], stories[6]]
    shown = [a.pk for zone in page.zones for a in zone.articles] + [a.pk for a in page.latest]
    shown += [a.pk for a in page.most_read]
    assert len(shown) == len(set(shown))

    html = client.get("/").content.decode()
    for story in stories:
        assert html.count(f'href="{story.url}"') <= 2  # a card links its image and headline


def test_the_same_story_pinned_twice_shows_once(zones):
    story = make_article(section=zones["section"])
    for _ in range(3):
        make_article(section=zones["section"], published_at=hours_ago(2))
    ZonePin.objects.create(zone=zones["lead"], position=1, article=story)
    ZonePin.objects.create(zone=zones["top"], position=1, article=story)
    page = compose_homepage()
    shown = [a.pk for zone in page.zones for a in zone.articles]
    assert shown.count(story.pk) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timezone.timedelta(days=1)},
        {"status": Article.Status.UNPUBLISHED},
        {"trashed_at": timezone.now()},
    ],
    ids=["back-to-draft", "back-in-review", "rescheduled", "unpublished", "trashed"],
)
def test_pinned_stories_that_are_no_longer_public_drop_out(client, zones, change):
    pinned = make_article(section=zones["section"], headline="Pinned lead story")
    others = [
        make_article(section=zones["section"], published_at=hours_ago(n + 1)) for n in range(3)
    ]
    ZonePin.objects.create(zone=zones["lead"], position=1, article=pinned)
    Article.objects.filter(pk=pinned.pk).update(**change)
    html = client.get("/").content.decode()
    assert "Pinned lead story" not in html
    assert compose_homepage().zones[0].articles == [others[0]]


def test_rails_back_fill_only_from_their_section(zones):
    other = make_section()
    make_article(section=other)
    harbor = make_article(section=zones["section"], published_at=hours_ago(30))
    rail = compose_homepage().zones[2]
    assert rail.articles == [] or rail.articles == [harbor]
    assert all(a.section_id == zones["section"].pk for a in rail.articles)


def test_editor_pins_a_story_in_the_admin(editor_client, client, zones):
    story = make_article(
        section=zones["section"], headline="Yesterday's big story", published_at=hours_ago(30)
    )
    for n in range(5):
        make_article(section=zones["section"], published_at=hours_ago(n))
    url = reverse("admin:articles_homepagezone_change", args=[zones["lead"].pk])
    response = editor_client.post(url, pin_form(position=1, article=story))
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get("/").content.decode()
    lead = html.split('class="front-lead"', 1)[1].split('class="front-top"', 1)[0]
    assert "Yesterday&#x27;s big story" in lead


def test_a_pin_outside_the_zone_is_refused_with_a_message(editor_client, zones):
    story = make_article(section=zones["section"])
    url = reverse("admin:articles_homepagezone_change", args=[zones["lead"].pk])
    response = editor_client.post(url, pin_form(position=3, article=story))
    assert response.status_code == 200
    assert "This zone has positions 1 to 1." in response.content.decode()


@pytest.mark.parametrize("stories", [5, 50])
def test_homepage_query_count_does_not_grow_with_stories(
    client, django_assert_num_queries, zones, stories
):
    from .factories import make_author, make_photo

    author = make_author()
    for n in range(stories):
        make_article(
            section=zones["section"],
            authors=[author, make_author()],
            tags=["a", "b"],
            lead_photo=make_photo(),
            published_at=hours_ago(n),
        )
    ZonePin.objects.create(
        zone=zones["lead"], position=1, article=Article.objects.order_by("published_at").first()
    )
    assert client.get("/").status_code == 200  # fills the site-wide caches
    # zones (+section); pins; one back-fill id query per zone (3); latest and most-read ids;
    # the chosen stories (+section, photo); their bylines; their photos' renditions.
    with django_assert_num_queries(9):
        assert client.get("/").status_code == 200


def test_most_read_shows_the_most_read_stories_not_already_on_the_page(client, zones):
    from articles import analytics

    stories = [make_article(section=zones["section"], published_at=hours_ago(n)) for n in range(20)]
    on_page, popular_older = stories[0], stories[-1]
    for story, views in ((on_page, 50), (popular_older, 30)):
        for _ in range(views):
            analytics.record_view(story.pk, "(direct)")
    page = compose_homepage(most_read_ids=analytics.most_read_ids(limit=30))
    assert page.most_read[0] == popular_older
    assert on_page not in page.most_read  # it leads the page already
    assert popular_older not in page.latest
    html = client.get("/").content.decode()
    most_read = html.split('id="most-read-heading"', 1)[1].split("</section>", 1)[0]
    assert popular_older.headline in most_read
