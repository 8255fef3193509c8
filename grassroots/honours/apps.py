from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoursConfig(AppConfig):
    name = "grassroots.honours"
    label = "honours"
    verbose_name = _("Household honours")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="honours", title=_("Household honours")))
