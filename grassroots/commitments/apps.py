from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "grassroots.commitments"
    label = "commitments"
    verbose_name = _("Public commitments")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="commitments", title=_("Public commitments"), urls="grassroots.commitments.urls",
            api="grassroots.commitments.api", findings="grassroots.commitments.findings",
            org_links=(Link(_("Public commitments"), "commitments", key="commitments", order=62),),
            member_links=(Link(_("Commitments"), "member-commitments", key="member-commitments", order=62),),
            dashboard_panels=(Panel("commitments", _("Public commitments: by level and result"),
                                    "commitments/_dashboard.html", "grassroots.commitments.dashboard.commitments",
                                    order=62),),
            annual_sections=(Section("commitments", 62, "grassroots.commitments.summary.commitments_of",
                                     "grassroots.commitments.summary.commitments_text"),),
            importers=(Importer("commitments", "grassroots.commitments.importer.cli_run",
                                org_help="every row must name a member of this organization's subtree"),),
            demo_history="grassroots.commitments.demo.demo_history", demo_order=62,
            public_links=(Link(_("Public commitments"), "public-commitments", key="public-commitments", order=62,
                               shown_if="grassroots.commitments.selectors.has_public"),),
            appraisal_notes=("grassroots.commitments.appraisal.notes",),
            point_sources=("grassroots.commitments.points.evidence",),
        ))
