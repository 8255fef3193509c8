from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "grassroots.opinions"
    label = "opinions"
    verbose_name = _("Residents' opinions")

    def ready(self) -> None:
        from . import findings  # noqa: F401  (registers the "opinions" findings source)
