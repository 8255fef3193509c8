from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InserviceConfig(AppConfig):
    name = "grassroots.inservice"
    label = "inservice"
    verbose_name = _("In-service members in the community")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="inservice", title=_("In-service members in the community"), urls="grassroots.inservice.urls",
            api="grassroots.inservice.api", findings="grassroots.inservice.findings",
            org_links=(Link(_("In-service members reporting"), "inservice-home", key="inservice", order=62),),
            member_links=(Link(_("Community reports"), "inservice-member", key="inservice-member", order=62),),
            dashboard_panels=(Panel("inservice", _("In-service members: reports and services this year"),
                                    "inservice/_dashboard.html", "grassroots.inservice.dashboard.inservice",
                                    order=62),),
            annual_sections=(Section("inservice", 62, "grassroots.inservice.summary.inservice_of",
                                     "grassroots.inservice.summary.inservice_text"),),
            importers=(Importer("inservice-reports", "grassroots.inservice.importer.cli_reports", org_required=True,
                                org_help="the home organization whose members reported"),),
            demo_history="grassroots.inservice.demo.demo_history", demo_order=65,
            appraisal_notes=("grassroots.inservice.selectors.appraisal_notes",),
        ))
