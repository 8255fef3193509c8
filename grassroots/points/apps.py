from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "grassroots.points"
    label = "points"
    verbose_name = _("Member points")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="points", title=_("Member points")))
