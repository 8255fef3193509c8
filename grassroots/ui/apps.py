from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    """The kit below the domains: lists, forms, imports, uploads, spreadsheets, error pages, partials."""

    name = "grassroots.ui"
    label = "ui"
    verbose_name = _("User interface kit")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.test.signals import setting_changed

        from .kept import forget_on_setting_changed
        from .links import note_writer

        user_logged_in.connect(note_writer, dispatch_uid="grassroots.ui.note_writer")
        setting_changed.connect(forget_on_setting_changed, dispatch_uid="grassroots.ui.kept.forget")
