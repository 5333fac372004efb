"""The reader's site in a real browser: phone and desktop screenshots, WCAG 2.2 AA with axe-core,
no Content-Security-Policy violations, and the article page's weight."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, Author

# seed_demo recreates the groups and homepage zones that a flush of the database removes.
pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTICLE_BUDGET_BYTES = 60 * 1024
# Uncompressed bytes of the document and the stylesheets and scripts it loads (no images).
PAGE_WEIGHT = """() => {
    const [page] = performance.getEntriesByType('navigation');
    const assets = performance.getEntriesByType('resource')
        .filter(r => r.initiatorType === 'link' || r.initiatorType === 'script');
    return assets.reduce((total, r) => total + r.decodedBodySize, page.decodedBodySize);
}"""


def page_urls():
    article = Article.objects.published().order_by("-published_at").first()
    author = Author.objects.filter(bylines__article=article).first()
    tag = article.tags.first()
    return {
        "home": "/",
        "article": article.url,
        "section": article.section.get_absolute_url(),
        "tag": f"/tag/{tag.slug}/",
        "author": author.get_absolute_url(),
        "search": "/search/?q=harbor",
    }


def collect_csp_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )
    return errors


def axe_violations(page):
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    page.evaluate(AXE.read_text())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert results["passes"], "axe checked nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
    ]


def test_public_pages_on_phone_and_desktop(live_server, browser, screenshot_dir):
    call_command("seed_demo", stdout=io.StringIO())
    urls = page_urls()
    problems = []
    weights = {}
    for width, scheme in [(390, "light"), (1280, "light"), (390, "dark"), (1280, "dark")]:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        csp_errors = collect_csp_errors(page)
        for name, path in urls.items():
            page.goto(live_server.url + path, wait_until="networkidle")
            weights[name] = page.evaluate(PAGE_WEIGHT)
            # Load lazy images as a reader scrolling down would, then photograph the page.
            page.evaluate(
                "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
            )
            page.wait_for_load_state("networkidle")
            suffix = "" if scheme == "light" else "-dark"
            page.screenshot(
                path=screenshot_dir / f"reader-{name}-{width}{suffix}.png", full_page=True
            )
            problems += [f"{name} @ {width}px {scheme}: {v}" for v in axe_violations(page)]
            assert page.locator("h1").count() == 1, f"{name} needs exactly one h1"
        problems += [f"CSP @ {width}px {scheme}: {error}" for error in csp_errors]
        context.close()

    print("HTML + CSS + JS per page (bytes):", weights)
    assert not problems, "\n".join(problems)
    assert weights["article"] < ARTICLE_BUDGET_BYTES, weights


def test_pages_work_without_javascript(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    article = Article.objects.published().order_by("-published_at").first()
    page.get_by_role("link", name=article.headline).first.click()
    page.wait_for_url(f"**{article.url}")
    assert page.locator("figure figcaption").count() == 1
    page.fill("#masthead-search", "harbor")
    page.press("#masthead-search", "Enter")
    page.wait_for_url("**/search/?q=harbor")
    assert page.locator(".story-list .card").count() > 0
    context.close()
