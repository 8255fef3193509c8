from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "grassroots.points"
    label = "points"
    verbose_name = _("Member points")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="points", title=_("Member points"), urls="grassroots.points.urls", api="grassroots.points.api",
            findings="grassroots.points.findings",
            org_links=(Link(_("Member points"), "points-totals", key="points", order=60),),
            member_links=(Link(_("Points"), "points-statement", key="points-statement", order=60),),
            dashboard_panels=(Panel("points", _("Member points approved by item"), "points/_dashboard.html",
                                    "grassroots.points.dashboard.points", order=90),),
            annual_sections=(Section("points", 90, "grassroots.points.summary.points_of",
                                     "grassroots.points.summary.points_text"),),
            importers=(Importer("points", "grassroots.points.importer.cli_run", org_required=True,
                                org_help="every row must name a member of this organization's subtree"),),
            demo_history="grassroots.points.demo.build_history", demo_order=900,
        ))
