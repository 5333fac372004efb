from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from . import previews
from .models import Article, Correction


class HomeView(ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing().newest_first()[:30]


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        # Drafts and scheduled stories are 404, never 403: readers must not learn they exist.
        return get_object_or_404(Article.objects.published().for_detail(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.slug != kwargs["slug"]:
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))


def render_preview(request, article, *, shared):
    """The story in the public design, marked as a preview: never indexed, never cached."""
    if article.published_at is None:
        # Show the date line as it would read if the story went out now; nothing is saved.
        article.published_at = timezone.now()
    response = TemplateResponse(
        request, "articles/preview.html", {"article": article, "shared_preview": shared}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)  # includes no-store: nobody keeps a copy of a draft
    return response


def preview(request, token):
    """A shared preview link: the latest draft, or 404 when the link is not valid."""
    return render_preview(request, previews.article_for_token(token), shared=True)


class CorrectionsView(ListView):
    """Every correction and update on stories readers can see, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public()
