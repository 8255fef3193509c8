from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "grassroots.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation and votes")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        kinds = ("congress", "two_committees", "reps_meeting", "villagers_meeting", "briefing", "hearing")
        register(Module(
            label="deliberation", title=_("Deliberation and votes"), urls="grassroots.deliberation.urls",
            api="grassroots.deliberation.api", findings="grassroots.deliberation.findings",
            org_links=(Link(_("Deliberation and votes"), "deliberation-home", key="deliberation", order=76),),
            dashboard_panels=(Panel("deliberation", _("Deliberation: meetings and votes held, decided, no quorum"),
                                    "deliberation/_dashboard.html", "grassroots.deliberation.dashboard.deliberation",
                                    order=76),),
            annual_sections=(Section("deliberation", 76, "grassroots.deliberation.summary.deliberation_of",
                                     "grassroots.deliberation.summary.deliberation_text"),),
            importers=(Importer("seats", "grassroots.deliberation.importer.cli_run", org_required=True,
                                org_help="the organization leading the bodies named in the file"),),
            demo_history="grassroots.deliberation.demo.demo_history", demo_order=76,
            public_links=(Link(_("Deliberation topics"), "public-topics", key="public-topics", order=76,
                               shown_if="grassroots.deliberation.selectors.has_public"),),
            meeting_pages=tuple((k, "deliberation-meeting") for k in kinds),
        ))
