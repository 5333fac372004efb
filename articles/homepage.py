"""Composing the homepage from its zones: editors' pins first, then the newest stories.

Rules:
- a pinned story shows only while it is public (the visibility rule decides, so unpublished,
  scheduled or trashed pins drop out by themselves);
- every unpinned position back-fills with the newest public story of the zone's section
  (or of any section) that is not already on the page;
- no story appears twice: a story pinned anywhere is kept for its pin, and each zone skips
  what earlier zones took.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Article, HomepageZone, ZonePin

FRONT_ZONES = [
    {"title": "Lead story", "layout": "lead", "size": 1, "order": 0},
    {"title": "Top stories", "layout": "top", "size": 4, "order": 1},
]
LATEST_COUNT = 8
MOST_READ_COUNT = 5


@dataclass
class Zone:
    zone: HomepageZone
    articles: list = field(default_factory=list)

    @property
    def layout(self):
        return self.zone.layout


@dataclass
class Homepage:
    zones: list
    latest: list
    most_read: list

    def _with_layout(self, layout):
        return [zone for zone in self.zones if zone.layout == layout and zone.articles]

    @property
    def leads(self):
        return self._with_layout(HomepageZone.Layout.LEAD)

    @property
    def tops(self):
        return self._with_layout(HomepageZone.Layout.TOP)

    @property
    def rails(self):
        return self._with_layout(HomepageZone.Layout.RAIL)

    @property
    def is_empty(self):
        return not (self.latest or any(zone.articles for zone in self.zones))


def ensure_front_zones(zone_model=HomepageZone):
    """Create the lead and top-stories zones if the homepage has none of that layout.
    Takes the model so that migrations can pass their historical one."""
    for defaults in FRONT_ZONES:
        if not zone_model.objects.filter(layout=defaults["layout"]).exists():
            zone_model.objects.create(**defaults)


def compose_homepage(most_read_ids=()):
    """Build the homepage in a fixed number of queries: zones, pins, one small id query per
    zone to back-fill, then the chosen stories and their bylines in bulk."""
    zones = list(
        HomepageZone.objects.select_related("section").prefetch_related(
            Prefetch(
                "pins",
                queryset=ZonePin.objects.filter(article__in=Article.objects.published()).only(
                    "zone_id", "position", "article_id"
                ),
            )
        )
    )
    public = Article.objects.published().newest_first()
    pinned = {pin.article_id for zone in zones for pin in zone.pins.all()}
    used = set()
    layout_ids = []
    for zone in zones:
        pins = {pin.position: pin.article_id for pin in zone.pins.all()}
        candidates = public.exclude(pk__in=used | pinned)
        if zone.section_id:
            candidates = candidates.filter(section_id=zone.section_id)
        fill = iter(candidates.values_list("pk", flat=True)[: zone.size])
        ids = []
        for position in range(1, zone.size + 1):
            article_id = pins.get(position)
            if article_id is None or article_id in used:
                article_id = next(fill, None)
            if article_id is not None:
                ids.append(article_id)
                used.add(article_id)
        layout_ids.append(ids)

    # "Most read" takes its stories before "Latest", which shows whatever else is new.
    # Until readership figures exist, both show the newest stories not yet on the page.
    extra_ids = list(
        public.exclude(pk__in=used).values_list("pk", flat=True)[: LATEST_COUNT + MOST_READ_COUNT]
    )
    ranked = [pk for pk in most_read_ids if pk not in used][:MOST_READ_COUNT]
    most_read_ids = ranked or extra_ids[LATEST_COUNT:]
    latest_ids = [pk for pk in extra_ids if pk not in most_read_ids][:LATEST_COUNT]

    wanted = {pk for ids in layout_ids for pk in ids} | set(latest_ids) | set(most_read_ids)
    articles = Article.objects.published().for_listing().in_bulk(wanted)

    def pick(ids):
        return [articles[pk] for pk in ids if pk in articles]

    return Homepage(
        zones=[Zone(zone, pick(ids)) for zone, ids in zip(zones, layout_ids, strict=True)],
        latest=pick(latest_ids),
        most_read=pick(most_read_ids),
    )
