from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildConfig(AppConfig):
    name = "grassroots.cobuild"
    label = "cobuild"
    verbose_name = _("Co-construction")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="cobuild", title=_("Co-construction"), urls="grassroots.cobuild.urls", api="grassroots.cobuild.api",
            findings="grassroots.cobuild.findings",
            org_links=(Link(_("Co-construction"), "cobuild-home", key="cobuild", order=70),),
            dashboard_panels=(Panel("cobuild", _("Co-construction: units, agreements, contributions and projects"),
                                    "cobuild/_dashboard.html", "grassroots.cobuild.dashboard.cobuild", order=70),),
            annual_sections=(Section("cobuild", 70, "grassroots.cobuild.summary.cobuild_of",
                                     "grassroots.cobuild.summary.cobuild_text"),),
            importers=(Importer("units", "grassroots.cobuild.importer.cli_units", org_required=True,
                                org_help="the organization (community or street) that keeps the units' record"),
                       Importer("cobuild-agreements", "grassroots.cobuild.importer.cli_agreements",
                                org_required=True,
                                org_help="the organization that signed the agreements (its units recorded)"),),
            demo_history="grassroots.cobuild.demo.demo_history", demo_order=70,
        ))
