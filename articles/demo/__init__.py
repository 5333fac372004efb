"""Demo content: the stories in stories.json and illustrations drawn for them with Pillow.

The text was written for this project and the pictures are generated, so both may be
redistributed with the code.
"""

import io
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

STORIES_FILE = Path(__file__).with_name("stories.json")

PALETTES = [
    # sky top, sky bottom, sun, far land, near land, water
    ("#1d3557", "#f4a261", "#ffd166", "#3a506b", "#1c2541", "#2a6f97"),
    ("#4895ef", "#caf0f8", "#fff3b0", "#52796f", "#354f52", "#0077b6"),
    ("#22223b", "#9a8c98", "#f2e9e4", "#4a4e69", "#22223b", "#3d5a80"),
    ("#ff7b54", "#ffd56b", "#fff6e0", "#6d597a", "#355070", "#457b9d"),
    ("#264653", "#8ab17d", "#e9c46a", "#2a9d8f", "#1b4332", "#1d3557"),
    ("#7b2cbf", "#e0aaff", "#ffee99", "#5a189a", "#240046", "#3c096c"),
]


def load_demo_content():
    with STORIES_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def _vertical_gradient(size, top, bottom):
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def draw_illustration(seed, width=1200, height=800):
    """A harbour-city scene (sky, sun, hills, skyline, water) that differs with ``seed``.

    Returns JPEG bytes.
    """
    rng = random.Random(seed)
    sky_top, sky_bottom, sun, far, near, water = rng.choice(PALETTES)
    horizon = int(height * rng.uniform(0.55, 0.68))
    image = _vertical_gradient((width, height), sky_top, sky_bottom)
    draw = ImageDraw.Draw(image)

    sun_x = rng.randint(150, width - 150)
    sun_y = rng.randint(90, horizon - 160)
    radius = rng.randint(45, 90)
    glow = Image.new("L", (width, height), 0)
    ImageDraw.Draw(glow).ellipse(
        (sun_x - radius * 2, sun_y - radius * 2, sun_x + radius * 2, sun_y + radius * 2), fill=90
    )
    image.paste(sun, mask=glow.filter(ImageFilter.GaussianBlur(radius)))
    draw.ellipse((sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=sun)

    # Far hills.
    hills = [(0, horizon)]
    hills += [(x, horizon - rng.randint(40, 140)) for x in range(0, width + 80, 80)]
    hills.append((width, horizon))
    draw.polygon(hills, fill=far)

    # Skyline with lit windows.
    x = rng.randint(-20, 40)
    while x < width:
        w, h = rng.randint(50, 120), rng.randint(60, int(horizon * 0.55))
        draw.rectangle((x, horizon - h, x + w, horizon), fill=near)
        for wy in range(horizon - h + 12, horizon - 12, 22):
            for wx in range(x + 8, x + w - 12, 18):
                if rng.random() < 0.35:
                    draw.rectangle((wx, wy, wx + 7, wy + 10), fill=sun)
        x += w + rng.randint(4, 30)

    # Water with reflections and a boat.
    draw.rectangle((0, horizon, width, height), fill=water)
    for _ in range(60):
        wx, wy = rng.randint(0, width), rng.randint(horizon + 8, height)
        draw.line((wx, wy, wx + rng.randint(20, 90), wy), fill=sky_bottom, width=2)
    boat_x, boat_y = rng.randint(100, width - 260), rng.randint(horizon + 60, height - 80)
    hull = [
        (boat_x, boat_y),
        (boat_x + 160, boat_y),
        (boat_x + 130, boat_y + 30),
        (boat_x + 25, boat_y + 30),
    ]
    draw.polygon(hull, fill=near)
    draw.rectangle((boat_x + 60, boat_y - 50, boat_x + 100, boat_y), fill=far)

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()
