from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "grassroots.assistance"
    label = "assistance"
    verbose_name = _("Assistance and donations")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="assistance", title=_("Assistance and donations"), urls="grassroots.assistance.urls",
            api="grassroots.assistance.api", findings="grassroots.assistance.findings",
            org_links=(Link(_("Assistance ledger"), "assistance-ledger", key="assistance", order=66),
                       Link(_("Donations and stock"), "assistance-donations", key="assistance-donations",
                            order=67)),
            household_links=(Link(_("Assistance"), "assistance-household", key="assistance", order=30),),
            dashboard_panels=(Panel("assistance", _("Assistance this year"), "assistance/_dashboard.html",
                                    "grassroots.assistance.dashboard.assistance", order=68),),
            annual_sections=(Section("assistance", 68, "grassroots.assistance.summary.assistance_of",
                                     "grassroots.assistance.summary.assistance_text"),),
            importers=(Importer("assistance", "grassroots.assistance.importer.cli_run",
                                org_help="the organization whose places the households live in (default: any "
                                         "place you write)"),),
            demo_history="grassroots.assistance.demo.demo_history", demo_order=68,
        ))
