from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from taggit.models import Tag

from . import revisions, roles, search
from .chrome import site_chrome
from .dates import clock_time
from .models import Article


class TagAutocompleteWidget(forms.SelectMultiple):
    """Tags as removable chips with suggestions from existing tags; new tags can be typed.

    Uses the select2 the Django admin already ships, so it looks like the admin's other
    autocompletes. Without JavaScript it is a plain multiple select of the current tags.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "tag-autocomplete", **(attrs or {})})

    @property
    def media(self):
        return forms.Media(
            js=[
                "admin/js/vendor/jquery/jquery.min.js",
                "admin/js/vendor/select2/select2.full.min.js",
                "admin/js/jquery.init.js",
                "articles/admin/tag-autocomplete.js",
            ],
            css={
                "screen": ["admin/css/vendor/select2/select2.min.css", "admin/css/autocomplete.css"]
            },
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-autocomplete-url"] = reverse(
            "admin:articles_article_tag_autocomplete"
        )
        return context

    def format_value(self, value):
        return [getattr(tag, "name", tag) for tag in value or []]

    def optgroups(self, name, value, attrs=None):
        # Only the story's own tags are options; suggestions come from the autocomplete.
        options = [
            self.create_option(name, tag, tag, True, index) for index, tag in enumerate(value)
        ]
        return [(None, options, 0)]


class TagNamesField(forms.Field):
    """A list of tag names; unknown names become new tags when the story is saved."""

    widget = TagAutocompleteWidget
    max_length = Tag._meta.get_field("name").max_length

    def to_python(self, value):
        names = []
        for raw in value or []:
            for name in str(raw).split(","):
                name = " ".join(name.split())
                if name and name.lower() not in {n.lower() for n in names}:
                    names.append(name)
        return names

    def validate(self, value):
        super().validate(value)
        too_long = [name for name in value if len(name) > self.max_length]
        if too_long:
            raise forms.ValidationError(
                "Tags can be at most %(max)d characters: %(tags)s",
                params={"max": self.max_length, "tags": ", ".join(too_long)},
            )

    def prepare_value(self, value):
        return [getattr(tag, "name", tag) for tag in value or []]

    def has_changed(self, initial, data):
        before = {name.lower() for name in self.prepare_value(initial)}
        return before != {name.lower() for name in self.to_python(data)}


class ArticleAdminForm(forms.ModelForm):
    tags = TagNamesField(
        required=False, help_text="Type to find a tag; press Enter or comma to add a new one."
    )
    # The story's version when this form was loaded: a save from an older version is refused
    # (someone else saved in between) instead of overwriting their work.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [*revisions.CONTENT_FIELDS, "tags", "status", "published_at", "embargo_until"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.conflict = None
        self.fields["loaded_version"].initial = self.instance.version
        if "status" in self.fields and not self.can_publish:
            # Writers are offered draft and review; a story already live keeps its status.
            allowed = {Article.Status.DRAFT, Article.Status.REVIEW, self.instance.status}
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] in allowed
            ]

    @property
    def can_publish(self):
        return self.user is not None and self.user.has_perm(roles.PUBLISH)

    def clean_status(self):
        status = self.cleaned_data["status"]
        publishing = status == Article.Status.PUBLISHED and (
            self.instance._state.adding or "status" in self.changed_data
        )
        if publishing and not self.can_publish:
            raise forms.ValidationError(
                "Only editors can publish. Set the story to “In review” and an editor will "
                "publish it."
            )
        return status

    def clean(self):
        cleaned_data = super().clean()
        # Photos carry their journalism: a story is not published with a lead photo that lacks
        # a credit or alt text, and a live story cannot swap one in. Other edits of a live
        # story (an urgent correction) are not held up by a photo chosen before this rule.
        photo = cleaned_data.get("lead_photo")
        publishing = cleaned_data.get("status") == Article.Status.PUBLISHED and (
            self.instance._state.adding or {"status", "lead_photo"} & set(self.changed_data)
        )
        if photo and publishing:
            for problem in photo.publishing_problems():
                self.add_error("lead_photo", problem)
        if not self.instance._state.adding:
            self.check_for_conflict()
        return cleaned_data

    def check_for_conflict(self):
        """Refuse the save when someone else saved the story after this form was loaded, and
        say what they changed. The typed input stays in the form; the hidden version moves on
        to theirs, so saving again (after reading their changes) replaces their version."""
        loaded = self.cleaned_data.get("loaded_version") or self.instance.version
        current = Article.objects.select_related("updated_by").get(pk=self.instance.pk)
        if current.version == loaded:
            return
        self.conflict = {
            "current": current,
            "changes": revisions.conflict_changes(current, loaded),
        }
        who = current.updated_by or "Someone"
        when = clock_time(current.updated_at)
        fields = ", ".join(change.label for change in self.conflict["changes"] or [])
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = current.version
        raise forms.ValidationError(
            "%(who)s saved this story at %(when)s, after you opened it%(fields)s. Nothing of "
            "yours is saved yet and everything you typed is still in the form below. Compare "
            "their changes (shown above the form), then save again to replace their version "
            "with yours, or reload the page to start from theirs.",
            code="conflict",
            params={
                "who": who,
                "when": when,
                "fields": f" (they changed: {fields})" if fields else "",
            },
        )


class SearchForm(forms.Form):
    """The reader's search: words, and optionally a section and a date range."""

    q = forms.CharField(
        label="Search for",
        max_length=search.MAX_QUERY_LENGTH,
        required=False,
        error_messages={"max_length": search.TOO_LONG},
    )
    section = forms.ChoiceField(required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From the cached site chrome: drawing the form costs no query.
        self.sections = {section.slug: section for section in site_chrome()["sections"]}
        self.fields["section"].choices = [
            ("", "All sections"),
            *((slug, section.name) for slug, section in self.sections.items()),
        ]

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_section(self):
        return self.sections.get(self.cleaned_data["section"])

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The “From” date must come before the “To” date.")
        return cleaned

    def search(self, stories, newest=None):
        data = self.cleaned_data
        if data["section"]:
            stories = stories.filter(section=data["section"])
        if data["since"]:
            stories = stories.filter(published_at__date__gte=data["since"])
        if data["until"]:
            stories = stories.filter(published_at__date__lte=data["until"])
        return search.matching(stories, data["q"], newest=newest)

    def query_string(self):
        """The search's parameters for page links, ending with "&" when there are any."""
        data = self.cleaned_data
        params = {
            "q": data["q"],
            "section": data["section"].slug if data["section"] else "",
            "since": data["since"] or "",
            "until": data["until"] or "",
        }
        encoded = urlencode({key: value for key, value in params.items() if value})
        return f"{encoded}&" if encoded else ""
