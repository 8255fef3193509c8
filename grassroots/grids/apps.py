from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grassroots.grids"
    label = "grids"
    verbose_name = _("Grids")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="grids", title=_("Grids")))
