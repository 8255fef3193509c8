from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grassroots.grids"
    label = "grids"
    verbose_name = _("Grids")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="grids", title=_("Grids"), urls="grassroots.grids.urls", api="grassroots.grids.api",
            findings="grassroots.grids.findings",
            nav=(Link(_("My grids"), "grid-mine", key="grids-mine", order=64),),
            org_links=(Link(_("Grids"), "grid-list", key="grids", order=63,
                            kinds=("committee", "working_committee", "general_branch", "branch")),),
            dashboard_panels=(Panel("grids", _("Grids"), "grids/_dashboard.html",
                                    "grassroots.grids.dashboard.grids", order=63),),
            annual_sections=(Section("grids", 63, "grassroots.grids.summary.grids_of",
                                     "grassroots.grids.summary.grids_text"),),
            importers=(Importer("grids", "grassroots.grids.importer.cli_run", org_required=True,
                                org_help="(required) the organization whose places the grids lie in"),),
            demo_history="grassroots.grids.demo.demo_history", demo_order=63,
        ))
