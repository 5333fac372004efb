"""Sections, authors and stories in the admin, with the editorial workflow."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections, models
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from taggit.models import Tag

from .. import analytics, presence, previews, revisions, search, workflow
from ..charts import hourly_bar_chart
from ..forms import ArticleAdminForm
from ..models import (
    Article,
    Author,
    Byline,
    Correction,
    GalleryPhoto,
    PreviewLink,
    Section,
)
from ..views import planner_estimate, render_preview
from .mixins import LightweightDateHierarchyMixin
from .photos import ADMIN_CSS, thumbnail, thumbnail_renditions


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "user"]
    search_fields = ["name", "title"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


class BylineInline(admin.TabularInline):
    model = Byline
    autocomplete_fields = ["author"]
    fields = ["author", "order"]
    extra = 1
    verbose_name = "byline"
    verbose_name_plural = "Byline (authors in the order they are named)"


class GalleryInline(admin.TabularInline):
    model = GalleryPhoto
    autocomplete_fields = ["photo"]
    fields = ["photo", "order", "caption"]
    extra = 0
    verbose_name_plural = "Gallery (shown after the story, in this order)"


class StateFilter(admin.SimpleListFilter):
    """Filter by the derived state. Without a choice the trash is left out of the list."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.State.choices

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["query_string"] == changelist.get_query_string(remove=[self.parameter_name]):
                choice["display"] = "All but the trash"
            yield choice

    def queryset(self, request, queryset):
        if self.value() in Article.State.values:
            return queryset.filter(workflow_state=self.value())
        return queryset.exclude(workflow_state=Article.State.TRASHED)


class CorrectionInline(admin.TabularInline):
    """Corrections are appended, never edited: saved ones are shown read-only."""

    model = Correction
    fields = ["kind", "text", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    extra = 0
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (readers see them under the story)"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    def has_add_permission(self, request, obj=None):
        return bool(
            obj is not None
            and obj.first_published_at
            and not obj.is_trashed
            and super().has_add_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The workflow buttons on the edit page: name → (function, label, success message).
TRANSITIONS = {
    "submit": (workflow.submit_for_review, "Submit for review", "Submitted for review"),
    "return": (workflow.return_to_draft, "Send back to draft", "Sent back to draft"),
    "publish": (workflow.publish, "Publish now", "Published"),
    "unpublish": (workflow.unpublish, "Unpublish", "Unpublished"),
    "trash": (workflow.trash, "Move to trash", "Moved to the trash"),
    "restore": (workflow.restore, "Restore from trash", "Restored from the trash"),
}


class EstimatedCountPaginator(Paginator):
    """The admin's article list at a million rows: on PostgreSQL a count the planner
    estimates above ESTIMATE_ABOVE rows is taken from its estimate (pg_class.reltuples for the
    whole table) instead of a COUNT(*) over every row; smaller results are counted exactly.
    A big result's page count is then approximate, which a list of a million stories can
    afford."""

    ESTIMATE_ABOVE = 1_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        estimate = self.estimate(queryset)
        return estimate if estimate > self.ESTIMATE_ABOVE else super().count

    @staticmethod
    def estimate(queryset):
        with connections[queryset.db].cursor() as cursor:
            if not queryset.query.where:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                return max(cursor.fetchone()[0], 0)
        return planner_estimate(queryset)


class AuthorFilter(admin.SimpleListFilter):
    """Stories by one author, through a subquery on bylines: filtering on the many-to-many
    field itself makes the admin add DISTINCT over every column (seconds at a million)."""

    title = "author"
    parameter_name = "authors__id__exact"

    def lookups(self, request, model_admin):
        return Author.objects.values_list("pk", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                pk__in=Byline.objects.filter(author_id=self.value()).values("article_id")
            )
        return queryset


@admin.register(Article)
class ArticleAdmin(LightweightDateHierarchyMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    # At a million stories: no COUNT(*) of the whole table per page, and only sort orders
    # that have an index (Meta.indexes; sections are a filter, not a sort).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    sortable_by = ["headline", "state", "published_at", "updated_at"]
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    object_history_template = "admin/articles/article/object_history.html"
    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"
    list_display = [
        "headline",
        "state",
        "section",
        "byline",
        "published_at",
        "lead_thumbnail",
        "updated_at",
    ]
    list_filter = [StateFilter, "section", AuthorFilter, "published_at"]
    list_select_related = ["section", "lead_photo"]
    search_fields = ["headline", "dek", "kicker", "slug"]
    date_hierarchy = "published_at"
    ordering = ["-updated_at"]
    autocomplete_fields = ["section", "lead_photo"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, GalleryInline, CorrectionInline]
    actions = ["submit_for_review", "publish_now", "unpublish", "move_to_trash", "restore"]
    readonly_fields = ["first_published_at", "created_at", "updated_at", "readership"]
    fieldsets = [
        (None, {"fields": ["kicker", "headline", "slug", "dek", "dateline", "section"]}),
        (None, {"fields": ["body"]}),
        ("Lead photo", {"fields": ["lead_photo", "lead_photo_caption"]}),
        ("Tags", {"fields": ["tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "embargo_until",
                    "first_published_at",
                    "created_at",
                    "updated_at",
                    "loaded_version",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": [*ADMIN_CSS["all"], "articles/admin/workflow.css"]}

    # Who may do what -------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Readership", {"fields": ["readership"]})]

    @admin.display(description="Views per hour")
    def readership(self, article):
        chart = hourly_bar_chart(
            "Views of this story per hour, last 48 hours",
            analytics.views_per_hour(hours=48, article=article),
        )
        return render_to_string(
            "admin/articles/includes/bar_chart.html", {"chart": chart, "id": "story-views"}
        )

    def get_queryset(self, request):
        # Writers see and edit only their own stories; the server enforces it here and in
        # has_change_permission, not just by hiding links.
        return (
            super()
            .get_queryset(request)
            .editable_by(request.user)
            .with_state()
            .with_section_photo_and_bylines()
            # List thumbnails from small renditions, not originals.
            .prefetch_related(thumbnail_renditions("lead_photo__renditions"))
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def has_trash_permission(self, request):
        return workflow.can_trash(request.user)

    def get_actions(self, request):
        # Deleting moves to the trash; Django's bulk delete would bypass it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_inline_instances(self, request, obj=None):
        # Corrections belong to stories that have been published; drafts do not show them.
        return [
            inline
            for inline in super().get_inline_instances(request, obj)
            if not isinstance(inline, CorrectionInline) or (obj and obj.first_published_at)
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return RequestForm

    # Saving: one revision per save, version-checked --------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return self._changeform_in_revision(request, object_id, form_url, extra_context)
        except workflow.EditConflict:
            # Someone saved between this form's validation and its save, and nothing of ours
            # was written. Running the request again lets the form see their version and
            # explain the conflict, with everything typed still in it.
            return self._changeform_in_revision(request, object_id, form_url, extra_context)

    def _changeform_in_revision(self, request, object_id, form_url, extra_context):
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        before = Article.objects.get(pk=obj.pk) if change else None
        changed = [str(form.fields[name].label or name) for name in form.changed_data]
        comment = "Changed " + ", ".join(changed).lower() if changed else "Saved"
        try:
            workflow.save_edit(
                obj,
                request.user,
                expected_version=form.cleaned_data.get("loaded_version") or obj.version,
                before=before,
                comment=comment if change else "Created",
            )
            if change:
                presence.leave(obj.pk, request.user)
        except workflow.EditConflict:
            raise  # handled in changeform_view
        except workflow.WorkflowError as error:
            # The form refuses these first; reaching here means a crafted request.
            raise PermissionDenied(error.message) from error

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if reversion.is_active():
            # Store the story again with its final bylines and tags (saved after the story).
            reversion.add_to_revision(form.instance)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        added = formset.save(commit=False)
        for correction in added:
            workflow.add_correction(form.instance, request.user, correction.text, correction.kind)
        if added and reversion.is_active():
            note = "added a correction" if len(added) == 1 else f"added {len(added)} corrections"
            comment = reversion.get_comment()
            reversion.set_comment(note.capitalize() if comment == "Saved" else f"{comment}; {note}")

    # Deleting is moving to the trash -----------------------------------------------------

    def get_deleted_objects(self, objs, request):
        # Nothing is deleted: the confirmation lists the stories only.
        return [str(obj) for obj in objs], {}, set(), []

    def delete_model(self, request, obj):
        workflow.trash(obj, request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            workflow.trash(article, request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request,
            f"“{obj_display}” is in the trash. It can be restored for {workflow.TRASH_DAYS} days.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    # List actions --------------------------------------------------------------------------

    def _apply(self, request, queryset, function, done):
        succeeded = 0
        for article in queryset:
            try:
                function(article, request.user)
                succeeded += 1
            except workflow.WorkflowError as error:
                self.message_user(request, error.message, messages.ERROR)
        if succeeded:
            self.message_user(request, f"{done} {succeeded} stories.", messages.SUCCESS)

    @admin.action(description="Submit selected stories for review")
    def submit_for_review(self, request, queryset):
        self._apply(request, queryset, workflow.submit_for_review, "Submitted for review")

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._apply(request, queryset, workflow.publish, "Published")

    @admin.action(description="Unpublish selected stories", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply(request, queryset, workflow.unpublish, "Unpublished")

    @admin.action(description="Move selected stories to the trash", permissions=["trash"])
    def move_to_trash(self, request, queryset):
        self._apply(request, queryset, workflow.trash, "Moved to the trash")

    @admin.action(description="Restore selected stories from the trash", permissions=["trash"])
    def restore(self, request, queryset):
        self._apply(request, queryset, workflow.restore, "Restored from the trash")

    # Pages of their own --------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "tags/autocomplete/",
                view(self.tag_autocomplete),
                name="articles_article_tag_autocomplete",
            ),
            path(
                "<path:object_id>/workflow/<str:transition>/",
                view(self.transition_view),
                name="articles_article_transition",
            ),
            path(
                "<path:object_id>/presence/",
                view(self.presence_view),
                name="articles_article_presence",
            ),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "<path:object_id>/previews/",
                view(self.previews_view),
                name="articles_article_previews",
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_revision_view),
                name="articles_article_restore_revision",
            ),
            *super().get_urls(),
        ]

    def _get_story(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise Http404("No such story.")
        return article

    def _back_to(self, article):
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def tag_autocomplete(self, request):
        """Existing tags matching what the editor typed, for the tag field's suggestions."""
        if not self.has_view_or_change_permission(request):
            return JsonResponse({"results": []}, status=403)
        term = request.GET.get("term", "").strip()[:100]
        tags = Tag.objects.filter(name__icontains=term).order_by("name")[:20]
        return JsonResponse(
            {
                "results": [{"id": tag.name, "text": tag.name} for tag in tags],
                "pagination": {"more": False},
            }
        )

    def get_search_results(self, request, queryset, search_term):
        """The readers' search engine, over every story (drafts too), in the same syntax
        and with the same length limit."""
        if not search_term.strip():
            return queryset, False
        if problem := search.query_problem(search_term):
            self.message_user(request, problem, messages.ERROR)
            return queryset.none(), False
        matches = search.matching(Article.objects.all(), search_term).values("pk")
        return queryset.filter(pk__in=matches), False

    @staticmethod
    def available_transitions(user, article):
        """The workflow buttons this user may press on this story now."""
        Status = Article.Status
        names = []
        if article.is_trashed:
            return ["restore"] if workflow.can_trash(user) else []
        if article.status in (Status.DRAFT, Status.UNPUBLISHED) and workflow.can_edit(
            user, article
        ):
            names.append("submit")
        if workflow.can_publish(user):
            if article.status == Status.REVIEW:
                names.append("return")
            if article.status != Status.PUBLISHED:
                names.append("publish")
            else:
                names.append("unpublish")
        if workflow.can_trash(user):
            names.append("trash")
        return names

    def transition_view(self, request, object_id, transition):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._get_story(request, object_id)
        if transition not in TRANSITIONS:
            raise Http404("No such action.")
        function, _label, done = TRANSITIONS[transition]
        try:
            function(article, request.user)
        except workflow.NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except workflow.WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"{done}: “{article}”.", messages.SUCCESS)
        return self._back_to(article)

    def presence_view(self, request, object_id):
        """The edit page's heartbeat: who else has this story open."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._get_story(request, object_id)
        return JsonResponse({"others": presence.others_editing(article.pk, request.user)})

    def preview_view(self, request, object_id):
        """The story's latest draft in the public design, for anyone who may see it here."""
        article = self._get_story(request, object_id)  # checks permission
        # Loaded as the public page loads it: body photos, gallery, tags, corrections.
        story = Article.objects.for_detail().get(pk=article.pk)
        return render_preview(request, story, shared=False)

    def previews_view(self, request, object_id):
        """Share a preview link, list the links made so far, revoke one."""
        article = self._get_story(request, object_id)
        if request.method == "POST":
            try:
                if "revoke" in request.POST:
                    link = get_object_or_404(
                        PreviewLink, pk=request.POST["revoke"], article=article
                    )
                    previews.revoke_preview(link, request.user)
                    self.message_user(request, "The link is revoked.", messages.SUCCESS)
                else:
                    hours = int(request.POST.get("hours") or previews.DEFAULT_HOURS)
                    previews.share_preview(article, request.user, max(1, min(hours, 24 * 14)))
                    self.message_user(request, "A new preview link is ready.", messages.SUCCESS)
            except workflow.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except (workflow.WorkflowError, ValueError) as error:
                self.message_user(request, getattr(error, "message", str(error)), messages.ERROR)
            return HttpResponseRedirect(request.path)
        links = [
            (link, request.build_absolute_uri(previews.preview_path(link)))
            for link in article.preview_links.select_related("created_by")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Preview links: {article}",
            "links": links,
            "default_hours": previews.DEFAULT_HOURS,
            "can_share": request.user.has_perm("articles.add_previewlink"),
        }
        return TemplateResponse(request, "admin/articles/article/previews.html", context)

    def history_view(self, request, object_id, extra_context=None):
        """Revisions (compare any two, restore one) and the audit trail of state changes."""
        article = self._get_story(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"History: {article}",
            "versions": list(revisions.revisions_of(article)),
            "audit_entries": article.audit_entries.select_related("user"),
            "can_restore": self.has_change_permission(request, article),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def _version(self, article, version_id):
        return get_object_or_404(revisions.revisions_of(article), pk=version_id)

    def compare_view(self, request, object_id):
        """A field-by-field diff between two revisions (``?from=…&to=…``; ``to`` may be
        omitted to compare with the story as it is now)."""
        article = self._get_story(request, object_id)
        try:
            older = self._version(article, int(request.GET["from"]))
            newer = (
                self._version(article, int(request.GET["to"])) if request.GET.get("to") else None
            )
        except (KeyError, ValueError) as error:
            raise Http404("Choose two revisions.") from error
        if newer is not None and newer.revision.date_created < older.revision.date_created:
            older, newer = newer, older
        after = (
            revisions.snapshot_of_version(newer)
            if newer
            else revisions.snapshot_of_article(article)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Compare revisions: {article}",
            "older": older,
            "newer": newer,
            "changes": revisions.compare(revisions.snapshot_of_version(older), after),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_revision_view(self, request, object_id, version_id):
        """Confirm, then restore an old revision's content as a new revision."""
        article = self._get_story(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        version = self._version(article, version_id)
        if request.method == "POST":
            try:
                revisions.restore_revision(article, version, request.user)
            except workflow.WorkflowError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    "The revision is restored as a new revision; nothing was overwritten.",
                    messages.SUCCESS,
                )
            return self._back_to(article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Restore a revision: {article}",
            "version": version,
            "changes": revisions.compare(
                revisions.snapshot_of_article(article), revisions.snapshot_of_version(version)
            ),
        }
        return TemplateResponse(request, "admin/articles/article/restore_revision.html", context)

    # The edit page and the list ------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workflow_buttons"] = [
                (name, TRANSITIONS[name][1])
                for name in self.available_transitions(request.user, obj)
            ]
            context["can_share_preview"] = request.user.has_perm("articles.add_previewlink")
            context["others_editing"] = presence.others_editing(obj.pk, request.user)
            context["presence_seconds"] = presence.HEARTBEAT_SECONDS
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        going_live = (
            Article.objects.editable_by(request.user).scheduled().select_related("section")[:5]
        )
        return super().changelist_view(request, {"going_live": going_live, **(extra_context or {})})

    @admin.display(description="State", ordering="workflow_state")
    def state(self, article):
        label = article.state_label
        return format_html(
            '<span class="state state-{}">{}</span>', label.lower().replace(" ", "-"), label
        )

    @admin.display(description="Byline")
    def byline(self, article):
        return ", ".join(author.name for author in article.byline_authors) or "—"

    @admin.display(description="Photo")
    def lead_thumbnail(self, article):
        return thumbnail(article.lead_photo, size=64)
