from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "grassroots.rules"
    label = "rules"
    verbose_name = _("Rules and findings")

    def ready(self) -> None:
        from grassroots.core.writes import listen

        from .stored import touched

        listen(touched)  # every audited write queues its organization's findings again, after the commit
