"""Behaviour several ModelAdmins share."""


class ReadOnlyAdminMixin:
    """Records nobody adds, edits or deletes through the admin (figures, the audit trail)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
