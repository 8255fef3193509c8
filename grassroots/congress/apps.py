from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "grassroots.congress"
    label = "congress"
    verbose_name = _("Practical projects")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="congress", title=_("Practical projects"), urls="grassroots.congress.urls",
            api="grassroots.congress.api", findings="grassroots.congress.findings",
            org_links=(Link(_("Practical projects"), "congress-home", key="congress", order=77),),
            dashboard_panels=(Panel("congress", _("Practical projects of the year: done, under way, behind"),
                                    "congress/_dashboard.html", "grassroots.congress.dashboard.congress", order=77),),
            annual_sections=(Section("congress", 77, "grassroots.congress.summary.congress_of",
                                     "grassroots.congress.summary.congress_text"),),
            importers=(Importer("practical-projects", "grassroots.congress.importer.cli_run", org_required=True,
                                org_help="the organization whose projects the rows are (or whose subtree the "
                                         "rows' organization codes name)"),),
            demo_history="grassroots.congress.demo.demo_history", demo_order=77,
            public_links=(Link(_("Practical projects"), "public-congress-projects", key="public-congress-projects",
                               order=77, shown_if="grassroots.congress.selectors.has_public"),),
        ))
