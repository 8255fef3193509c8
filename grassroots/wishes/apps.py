from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "grassroots.wishes"
    label = "wishes"
    verbose_name = _("Micro-wishes")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="wishes", title=_("Micro-wishes")))
