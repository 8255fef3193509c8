from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "grassroots.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        # Shown for the kinds of organization that hold places (a party group holds none); the list says so when an
        # organization of those kinds holds none (asking the database here would cost the organization page a query).
        holders = ("committee", "working_committee", "general_branch", "branch")
        register(Module(
            label="households", title=_("Households"), urls="grassroots.households.urls",
            api="grassroots.households.api", findings="grassroots.households.findings",
            org_links=(Link(_("Households"), "household-org", key="households", order=64, kinds=holders,
                            keep_as_of=True),),
            dashboard_panels=(Panel("households", _("Households"), "households/_dashboard.html",
                                    "grassroots.households.dashboard.households", order=64),),
            annual_sections=(Section("households", 64, "grassroots.households.summary.households_of",
                                     "grassroots.households.summary.households_text"),),
            importers=(Importer("households", "grassroots.households.importer.cli_run",
                                org_help="the organization whose places the rows name (default: every place you "
                                         "may write)"),),
            demo_history="grassroots.households.demo.demo_history", demo_order=64))
