"""Sections, authors and stories in the admin, with the editorial workflow."""

import json

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.core.paginator import Paginator
from django.db import connections, models
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from taggit.models import Tag

from .. import analytics, presence, previews, revisions, roles, search, workflow
from ..addresses import absolute
from ..charts import hourly_bar_chart
from ..dates import clock_time
from ..forms import ArticleAdminForm
from ..models import (
    Article,
    AuditEntry,
    Author,
    Byline,
    Correction,
    GalleryPhoto,
    PreviewLink,
    Section,
)
from .mixins import LightweightDateHierarchyMixin, state_badge
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
        return EstimatedCountPaginator.planner_estimate(queryset)

    @staticmethod
    def planner_estimate(queryset):
        """How many rows PostgreSQL's planner expects ``queryset`` to return (no rows read)."""
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return 0
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


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
        # Writers see only their own stories; the server enforces it here and in
        # has_change_permission, not just by hiding links.
        return (
            super()
            .get_queryset(request)
            .visible_in_admin(request.user)
            .with_state()
            .with_section_photo_and_bylines()
            # List thumbnails from small renditions, not originals.
            .prefetch_related(thumbnail_renditions("lead_photo__renditions"))
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def get_actions(self, request):
        # Deleting moves to the trash; Django's bulk delete would bypass it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if IS_POPUP_VAR in request.GET:
            return actions  # a popup picks a story; it offers no actions
        # One list action per workflow transition, offered to those holding its permission.
        for transition in workflow.TRANSITIONS.values():
            if request.user.has_perm(transition.permission):
                actions[transition.action] = (
                    self._list_action(transition),
                    transition.action,
                    transition.action_label,
                )
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
        if request.method == "POST" and object_id is not None:
            refused = self._refused_save(request, object_id, form_url, extra_context)
            if refused is not None:
                return refused
        try:
            return self._changeform_in_revision(request, object_id, form_url, extra_context)
        except workflow.EditConflict:
            # Someone saved between this form's validation and its save, and nothing of ours
            # was written. Running the request again lets the form see their version and
            # explain the conflict, with everything typed still in it.
            return self._changeform_in_revision(request, object_id, form_url, extra_context)

    def _refused_save(self, request, object_id, form_url, extra_context):
        """A save this user may no longer make (the story was published or trashed after they
        opened it, say) comes back as the form holding everything they typed, with the reason,
        instead of a bare 403 page. Nothing is validated or saved, and the form has no save
        buttons. None when the save is allowed, or when Django's own answer stands (no such
        story for this user, or not even allowed to see it)."""
        obj = self.get_object(request, unquote(object_id))
        if (
            obj is None
            or self.has_change_permission(request, obj)
            or not self.has_view_permission(request, obj)
        ):
            return None
        messages.error(request, self.refused_save_message(obj))
        fieldsets = self.get_fieldsets(request, obj)
        # Built as for a new story: Django leaves out every field the user may not change.
        form_class = self.get_form(request, None, fields=flatten_fieldsets(fieldsets))
        form = form_class(request.POST, request.FILES, instance=obj)
        formsets, inline_instances = self._create_formsets(request, obj, change=True)
        # Inlines the form did not have when it was opened (corrections appear once a story
        # is published) are left out rather than shown as tampered with.
        posted = [
            (formset, inline)
            for formset, inline in zip(formsets, inline_instances, strict=True)
            if f"{formset.prefix}-TOTAL_FORMS" in request.POST
        ]
        formsets, inline_instances = [p[0] for p in posted], [p[1] for p in posted]
        admin_form = helpers.AdminForm(
            form, list(fieldsets), {}, self.get_readonly_fields(request, obj), model_admin=self
        )
        inline_formsets = self.get_inline_formsets(request, formsets, inline_instances, obj)
        media = self.media + admin_form.media
        for inline_formset in inline_formsets:
            media += inline_formset.media
        context = {
            **self.admin_site.each_context(request),
            "title": "Your text was not saved",
            "subtitle": str(obj),
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": [],
            "preserved_filters": self.get_preserved_filters(request),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        response = self.render_change_form(
            request, context, change=True, obj=obj, form_url=form_url
        )
        response.status_code = 403
        return response

    @staticmethod
    def refused_save_message(article):
        """Why the save was refused, from the story's latest change of state."""
        Action = AuditEntry.Action
        not_state_changes = [
            Action.CORRECTED,
            Action.PREVIEW_SHARED,
            Action.PREVIEW_REVOKED,
            Action.REVISION_RESTORED,
        ]
        entry = (
            article.audit_entries.exclude(action__in=not_state_changes)
            .select_related("user")
            .first()
        )
        if entry is None:
            reason = "You can no longer edit this story."
        else:
            who = (
                (entry.user.get_full_name() or entry.user.get_username())
                if entry.user
                else "someone"
            )
            when = clock_time(entry.at)
            action = entry.get_action_display().lower()
            reason = f"This story was {action} by {who} at {when}; you can no longer edit it."
        return (
            f"{reason} Nothing of yours was saved. Your text is kept below: copy it, or ask an "
            "editor to make the change."
        )

    def _changeform_in_revision(self, request, object_id, form_url, extra_context):
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        return self._backup_saved(super().response_add(request, obj, post_url_continue), "new")

    def response_change(self, request, obj):
        return self._backup_saved(super().response_change(request, obj), obj.pk)

    @staticmethod
    def _backup_saved(response, key):
        """The page after a successful save tells story-backup.js to drop this browser's copy
        of the form (a fragment: the server never sees it, so no view needs to know)."""
        if response.status_code == 302:
            response["Location"] += f"#saved-story-{key}"
        return response

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

    @staticmethod
    def _list_action(transition):
        """The list's action for one transition: the same workflow function as the story's
        button, run on each selected story; each refusal is reported and the rest go on."""

        def apply(modeladmin, request, queryset):
            succeeded = 0
            for article in queryset:
                try:
                    transition.function(article, request.user)
                    succeeded += 1
                except workflow.EditConflict:
                    message = f"“{article}” was saved by someone else just now; it is unchanged."
                    modeladmin.message_user(request, message, messages.ERROR)
                except workflow.WorkflowError as error:
                    modeladmin.message_user(request, error.message, messages.ERROR)
            if succeeded:
                message = f"{transition.done} {succeeded} stories."
                modeladmin.message_user(request, message, messages.SUCCESS)

        return apply

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

    def transition_view(self, request, object_id, transition):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._get_story(request, object_id)
        if transition not in workflow.TRANSITIONS:
            raise Http404("No such action.")
        transition = workflow.TRANSITIONS[transition]
        try:
            transition.function(article, request.user)
        except workflow.NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except workflow.WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, f"{transition.done}: “{article}”.", messages.SUCCESS)
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
        return previews.render_preview(request, story, shared=False)

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
            (link, absolute(previews.preview_path(link)))
            for link in article.preview_links.select_related("created_by")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Preview links: {article}",
            "links": links,
            "default_hours": previews.DEFAULT_HOURS,
            "can_share": request.user.has_perm(roles.SHARE_PREVIEW),
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
            context["workflow_buttons"] = workflow.available_transitions(request.user, obj)
            context["can_share_preview"] = request.user.has_perm(roles.SHARE_PREVIEW)
            context["others_editing"] = presence.others_editing(obj.pk, request.user)
            context["presence_seconds"] = presence.HEARTBEAT_SECONDS
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        going_live = (
            Article.objects.visible_in_admin(request.user).scheduled().select_related("section")[:5]
        )
        return super().changelist_view(request, {"going_live": going_live, **(extra_context or {})})

    @admin.display(description="State", ordering="workflow_state")
    def state(self, article):
        return state_badge(article.state_label)

    @admin.display(description="Byline")
    def byline(self, article):
        return ", ".join(author.name for author in article.byline_authors) or "—"

    @admin.display(description="Photo")
    def lead_thumbnail(self, article):
        return thumbnail(article.lead_photo, size=64)
