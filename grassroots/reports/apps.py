from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "grassroots.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="reports", title=_("Reports"), urls="grassroots.reports.urls",
                        org_actions=("reports/_org_annual.html",)))
