from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "grassroots.commitments"
    label = "commitments"
    verbose_name = _("Public commitments")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="commitments", title=_("Public commitments")))
