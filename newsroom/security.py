"""Site-wide security plumbing on top of django-csp."""

import base64
import hashlib
import re

_IMPORTMAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)

# Tiptap, under the admin's rich-text editor, injects its small base stylesheet as a <style>
# element. Its hash is fixed for a release of django-prose-editor; the admin browser test
# fails on a CSP violation if an upgrade changes it.
EDITOR_STYLE_HASHES = ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"]


def _sha256_source(content):
    return f"'sha256-{base64.b64encode(hashlib.sha256(content).digest()).decode()}'"


class AdminEditorCSPMiddleware:
    """Allow exactly the inline code the admin's rich-text editor needs, nothing more.

    django-prose-editor declares its ES modules with an inline ``<script type="importmap">``
    and Tiptap injects a base stylesheet. Instead of weakening the policy with
    'unsafe-inline', admin pages get the hashes of exactly those. Listed after CSPMiddleware
    so that it runs before it on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/admin/") and "html" in response.get("Content-Type", ""):
            importmaps = _IMPORTMAP.findall(getattr(response, "content", b""))
            if importmaps:
                response._csp_update = {
                    "script-src": [_sha256_source(body) for body in importmaps],
                    "style-src": EDITOR_STYLE_HASHES,
                }
        return response
