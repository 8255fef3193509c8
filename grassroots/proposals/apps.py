from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "grassroots.proposals"
    label = "proposals"
    verbose_name = _("Representatives' proposals")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="proposals", title=_("Representatives' proposals"), urls="grassroots.proposals.urls",
            api="grassroots.proposals.api", findings="grassroots.proposals.findings",
            org_links=(Link(_("Representatives' proposals"), "proposals-home", key="proposals", order=78),),
            dashboard_panels=(Panel("proposals", _("Proposals: received, accepted, answered on time, satisfaction"),
                                    "proposals/_dashboard.html", "grassroots.proposals.dashboard.proposals",
                                    order=78),),
            annual_sections=(Section("proposals", 78, "grassroots.proposals.summary.proposals_of",
                                     "grassroots.proposals.summary.proposals_text"),),
            importers=(Importer("proposals", "grassroots.proposals.importer.cli_proposals", org_required=True,
                                org_help="the organization the proposals were made to"),),
            demo_history="grassroots.proposals.demo.demo_history", demo_order=78,
        ))
