from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "grassroots.visits"
    label = "visits"
    verbose_name = _("Links and visits")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="visits", title=_("Links and visits")))
