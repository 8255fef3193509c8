from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "grassroots.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="households", title=_("Households"),
                        demo_history="grassroots.households.demo.demo_history", demo_order=64))
