from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "grassroots.assistance"
    label = "assistance"
    verbose_name = _("Assistance and donations")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="assistance", title=_("Assistance and donations")))
