from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildConfig(AppConfig):
    name = "grassroots.cobuild"
    label = "cobuild"
    verbose_name = _("Co-construction")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="cobuild", title=_("Co-construction")))
