"""Small factories for tests: make_article(**overrides) and friends."""

import io
from itertools import count

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, Photo, Section

_numbers = count(1)


def image_file(name="photo.jpg", size=(120, 80), image_format="JPEG", color=(30, 90, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(
        image_format, "application/octet-stream"
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def make_section(**overrides):
    n = next(_numbers)
    fields = {"name": f"Section {n}", "slug": f"section-{n}"} | overrides
    return Section.objects.create(**fields)


def make_author(**overrides):
    n = next(_numbers)
    fields = {"name": f"Reporter {n}", "slug": f"reporter-{n}"} | overrides
    return Author.objects.create(**fields)


def make_photo(**overrides):
    fields = {
        "alt_text": "Ferries at the harbour at dawn",
        "caption": "Ferries wait at Pier 4 on Monday.",
        "credit": "Reuters/Jane Doe",
        "image": image_file(),
    } | overrides
    return Photo.objects.create(**fields)


def make_article(*, authors=(), tags=(), **overrides):
    n = next(_numbers)
    fields = {
        "headline": f"Council approves budget number {n}",
        "slug": f"council-approves-budget-{n}",
        "dek": "The vote ends months of debate.",
        "body": "<p>The council voted 7-2.</p>",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timezone.timedelta(hours=1),
    } | overrides
    if "section" not in fields:
        fields["section"] = make_section()
    article = Article.objects.create(**fields)
    for order, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, order=order)
    if tags:
        article.tags.set(list(tags))
    return article


def make_staff(username, group_name):
    user = User.objects.create_user(
        username, password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user
