"""The photo library, the focal-point picker and a story with a gallery, in Chromium."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.demo import draw_illustration
from articles.models import Article, GalleryPhoto, Photo
from tests.factories import make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def illustration(seed, width=1200, height=800):
    return SimpleUploadedFile(f"{seed}.jpg", draw_illustration(seed, width, height))


def log_in(page, live_server):
    # Transactional tests flush the groups the migrations made; a superuser needs none.
    User.objects.create_superuser("eddie", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def library():
    photos = [
        make_photo(
            image=illustration("harbor dawn"),
            title="Harbor at dawn",
            credit="Reuters/Jane Doe",
            source="Reuters",
        ),
        make_photo(
            image=illustration("ferry terminal", 1200, 900),
            title="Ferry terminal",
            credit="Courier/Ana Ruiz",
            source="Staff",
        ),
        make_photo(
            image=illustration("council night", 900, 1200),
            title="Council chamber at night",
            credit="",
            source="Handout",
        ),
        make_photo(
            image=illustration("market square"),
            title="Market square",
            credit="AP/Ben Okafor",
            source="AP",
        ),
    ]
    make_article(headline="Dredging begins in the outer harbor", lead_photo=photos[0])
    return photos


def test_photo_library_lists_thumbnails_credits_and_uses(live_server, page, screenshot):
    library()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/photo/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 4
    # Thumbnails are small renditions, loaded and not broken.
    page.wait_for_function(
        "[...document.querySelectorAll('#result_list img.admin-thumb')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert "/media/renditions/" in page.locator("img.admin-thumb").first.get_attribute("src")
    assert page.locator(".photo-warning", has_text="Missing credit").count() == 1
    assert "1 story" in page.inner_text("#result_list")
    screenshot("photos-01-library")

    page.click("#changelist-filter >> text=Missing credit")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1
    assert "Council chamber at night" in page.inner_text("#result_list")


def test_editor_sets_the_focal_point_by_clicking_the_picture(live_server, page, screenshot):
    photo = make_photo(
        image=illustration("harbor wide", 1800, 800), title="Harbor, wide", credit="Courier/Staff"
    )
    first_card = photo.rendition("card800").file.name
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/photo/{photo.pk}/change/")
    picker = page.locator(".focal-picker img")
    picker.wait_for()
    page.wait_for_function("document.querySelector('.focal-picker img').naturalWidth > 0")
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.3})
    assert float(page.input_value("#id_focal_x")) == pytest.approx(80, abs=1)
    assert float(page.input_value("#id_focal_y")) == pytest.approx(30, abs=1)
    assert page.locator(".focal-marker").is_visible()
    assert page.locator(".focal-crop-preview figure").count() == 2
    page.locator("fieldset", has_text="Focal point").scroll_into_view_if_needed()
    screenshot("photos-02-focal-point")

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert float(page.input_value("#id_focal_x")) == pytest.approx(80, abs=1)
    photo.refresh_from_db()
    assert photo.focal_x == pytest.approx(80, abs=1)
    assert photo.rendition("card800").file.name != first_card  # The crop was remade.


def test_reader_sees_a_story_with_a_gallery(live_server, page, screenshot):
    photos = library()
    section = make_section(name="Harbor")
    article = make_article(
        section=section,
        kicker="Harbor",
        headline="A week on the dredger that is deepening Port Aldren's harbor",
        dek="Crews work around the clock to finish before the spring shipping season.",
        body="<p>The dredger <em>Maren</em> has not stopped since Monday.</p>"
        "<p>Its crew of twelve works in shifts, day and night.</p>",
        lead_photo=photos[0],
        authors=[make_author(name="Ana Ruiz")],
    )
    for order, (photo, caption) in enumerate(
        [
            (photos[1], "Passengers wait for the first ferry of the day."),
            (photos[3], ""),
            (photos[2], "Council members debated the dredging budget late into the night."),
        ]
    ):
        GalleryPhoto.objects.create(article=article, photo=photo, order=order, caption=caption)
    Photo.objects.filter(pk=photos[3].pk).update(caption="Stalls open in Market Square.")

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    figures = page.locator(".gallery figure")
    assert figures.count() == 3
    captions = page.locator(".gallery figcaption").all_inner_texts()
    assert "Passengers wait for the first ferry of the day." in captions[0]
    assert "Photo: Courier/Ana Ruiz".upper() in captions[0].upper()  # Set in small caps.
    assert "Stalls open in Market Square." in captions[1]
    # The browser picked a rendition (AVIF here) and every picture loaded.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "[...document.querySelectorAll('picture img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    sources = page.eval_on_selector_all("picture img", "imgs => imgs.map(i => i.currentSrc)")
    assert all("/media/renditions/" in src for src in sources)
    assert any(src.endswith(".avif") for src in sources)
    lead = page.locator(".story > figure img")
    assert lead.get_attribute("fetchpriority") == "high"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("photos-03-article-with-gallery")


def test_editor_places_a_library_photo_in_the_body(live_server, page, screenshot):
    photo = make_photo(
        image=illustration("divers at noon"),
        title="Divers at noon",
        alt_text="Two divers on the dredger's deck",
        caption="Divers prepare to inspect the hull.",
        credit="Courier/Ben Okafor",
    )
    make_section(name="Harbor")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_headline", "Divers inspect the dredger")
    page.fill("#id_slug", "divers-inspect-the-dredger")
    page.locator("#id_section + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Harb")
    page.locator(".select2-results__option", has_text="Harbor").first.click()
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Divers went down at noon.")
    page.keyboard.press("Enter")
    page.click(".prose-menubar button[title=figure]")
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as popup_info:
        dialog.get_by_text("Browse...").click()
    picker = popup_info.value
    picker.wait_for_selector(".photo-pick")
    screenshot("photos-04-body-photo-picker", picker)
    picker.click(f".photo-pick[data-id='{photo.pk}']")
    assert "/media/renditions/" in dialog.locator("input[name=imageUrl]").input_value()
    assert dialog.locator("input[name=altText]").input_value() == photo.alt_text
    dialog.locator("button[type=submit], input[type=submit]").first.click()
    page.locator(".ProseMirror figure img").wait_for()
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    article = Article.objects.get(headline="Divers inspect the dredger")
    assert f'data-file="{photo.pk}"' in article.body
    article.status = Article.Status.PUBLISHED
    article.save()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    figure = page.locator(".story-body figure")
    assert "Photo: Courier/Ben Okafor".upper() in figure.inner_text().upper()
    assert "Divers prepare to inspect the hull." in figure.inner_text()
