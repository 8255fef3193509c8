from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "grassroots.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="volunteers", title=_("Volunteer service")))
