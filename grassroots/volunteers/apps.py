from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "grassroots.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="volunteers", title=_("Volunteer service"), urls="grassroots.volunteers.urls",
            api="grassroots.volunteers.api", findings="grassroots.volunteers.findings",
            org_links=(Link(_("Volunteer service"), "volunteers-home", key="volunteers", order=60),),
            member_links=(Link(_("Volunteer service"), "volunteers-member", key="volunteers-member", order=60),),
            dashboard_panels=(Panel("volunteers", _("Volunteer service: activities and confirmed hours by month"),
                                    "volunteers/_dashboard.html", "grassroots.volunteers.dashboard.volunteers",
                                    order=60),),
            annual_sections=(Section("volunteers", 60, "grassroots.volunteers.summary.volunteers_of",
                                     "grassroots.volunteers.summary.volunteers_text"),),
            importers=(Importer("volunteers", "grassroots.volunteers.importer.cli_volunteers", org_required=True,
                                org_help="the organization the volunteers register with"),
                       Importer("volunteer-activities", "grassroots.volunteers.importer.cli_activities",
                                org_required=True, org_help="the organization whose teams held the activities"),),
            demo_history="grassroots.volunteers.demo.demo_history", demo_order=60,
            point_sources=("grassroots.volunteers.points.evidence",),
            appraisal_notes=("grassroots.volunteers.points.appraisal_notes",),
        ))
