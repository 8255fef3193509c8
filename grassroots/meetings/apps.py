from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "grassroots.meetings"
    label = "meetings"
    verbose_name = _("Organizational life")

    def ready(self) -> None:
        from . import findings  # noqa: F401  (registers the "meetings" findings source)
