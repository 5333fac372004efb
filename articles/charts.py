"""Server-rendered SVG bar charts: no script, so they work under the site's strict CSP."""

from dataclasses import dataclass

from django.utils import timezone


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class BarChart:
    title: str
    width: int
    height: int
    bars: list
    ticks: list  # (x, label) along the bottom
    maximum: int
    plot_top: int
    plot_bottom: int

    @property
    def is_empty(self):
        return self.maximum == 0


def nice_ceiling(value):
    """The next round number at or above ``value`` (1, 2, 5, 10, 20, 50, ...)."""
    if value <= 0:
        return 0
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def hourly_bar_chart(title, series, width=720, height=200, tick_every=6):
    """A chart of [(hour, views)], labelled every ``tick_every`` hours in the current zone."""
    plot_top, plot_bottom, left = 12, height - 24, 40
    maximum = nice_ceiling(max((views for _hour, views in series), default=0))
    slot = (width - left) / max(len(series), 1)
    bars, ticks = [], []
    for index, (hour, views) in enumerate(series):
        local = timezone.localtime(hour)
        bar_height = (plot_bottom - plot_top) * views / maximum if maximum else 0
        x = left + index * slot
        bars.append(
            Bar(
                x=round(x + 1, 1),
                y=round(plot_bottom - bar_height, 1),
                width=round(slot - 2, 1),
                height=round(bar_height, 1),
                label=local.strftime("%a %-I %p"),
                value=views,
            )
        )
        if local.hour % tick_every == 0:
            ticks.append((round(x + slot / 2, 1), local.strftime("%-I %p")))
    return BarChart(title, width, height, bars, ticks, maximum, plot_top, plot_bottom)
