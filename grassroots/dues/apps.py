from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "grassroots.dues"
    label = "dues"
    verbose_name = _("Party dues")

    def ready(self) -> None:
        from . import findings  # noqa: F401  (registers the "dues" findings source)
