from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "grassroots.dues"
    label = "dues"
    verbose_name = _("Party dues")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="dues", title=_("Party dues"), urls="grassroots.dues.urls", api="grassroots.dues.api",
            findings="grassroots.dues.findings",
            org_links=(Link(_("Dues ledger"), "dues-ledger", key="dues", order=30),),
            member_links=(Link(_("Dues statement"), "dues-statement", key="dues-statement", order=30),),
            dashboard_panels=(Panel("dues", _("Party dues: collected against assessed"), "dues/_dashboard.html",
                                    "grassroots.dues.dashboard.dues", order=30),),
            annual_sections=(Section("dues", 30, "grassroots.dues.summary.dues_of",
                                     "grassroots.dues.summary.dues_text"),),
            point_sources=("grassroots.dues.points.evidence",),
            importers=(Importer("dues", "grassroots.dues.importer.cli_run",
                                org_help="every row must name a member of this organization's subtree"),),
        ))
