from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "grassroots.opinions"
    label = "opinions"
    verbose_name = _("Residents' opinions")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="opinions", title=_("Residents' opinions"), urls="grassroots.opinions.urls",
            api="grassroots.opinions.api",
            findings="grassroots.opinions.findings",
            org_links=(Link(_("Residents' opinions"), "opinion-list", key="opinions", order=40),
                       Link(_("Opinion statistics"), "opinion-stats", key="opinion-stats", order=41),
                       # Stations are run by town and street committees; any organization's set-up page works.
                       Link(_("Opinion station set-up"), "opinion-setup", key="opinion-setup", order=42,
                            kinds=("committee", "working_committee"))),
            dashboard_panels=(Panel("opinions", _("Residents' opinions by month"), "opinions/_dashboard.html",
                                    "grassroots.opinions.dashboard.opinions", order=50),),
            annual_sections=(Section("opinions", 50, "grassroots.opinions.summary.opinions_of",
                                     "grassroots.opinions.summary.opinions_text"),),
            importers=(Importer("opinions", "grassroots.opinions.importer.cli_run", org_required=True,
                                org_help="(required) the station whose register it is"),),
            demo="grassroots.demo.opinions.build_opinions", demo_order=30,
            public_links=(Link(_("Send an opinion"), "public-opinion-form", key="opinion-form", order=10,
                               shown_if="grassroots.opinions.selectors.runs_station"),
                          Link(_("Published replies"), "public-published", key="opinion-published", order=11,
                               shown_if="grassroots.opinions.selectors.runs_station")),
        ))
