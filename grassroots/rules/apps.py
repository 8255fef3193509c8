from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "grassroots.rules"
    label = "rules"
    verbose_name = _("Rules and findings")

    def ready(self) -> None:
        from grassroots.core.writes import listen
        from grassroots.orgs.services import register_move_listener

        from .stored import org_moved, touched

        listen(touched)  # every audited write queues its organization's findings again, after the commit
        register_move_listener(org_moved)  # a move writes the kept findings' totals above both places again
