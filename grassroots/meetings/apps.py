from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "grassroots.meetings"
    label = "meetings"
    verbose_name = _("Organizational life")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, Panel, Section, register

        register(Module(
            label="meetings", title=_("Organizational life"), urls="grassroots.meetings.urls",
            api="grassroots.meetings.api", findings="grassroots.meetings.findings",
            org_links=(Link(_("Meetings"), "meetings", key="meetings", order=20),
                       Link(_("Duties"), "duties", key="duties", order=21),
                       Link(_("Calendar"), "org-calendar", key="calendar", order=22)),
            member_links=(Link(_("Meetings"), "member-calendar", key="member-calendar", order=20),),
            dashboard_panels=(Panel("duties", _("Duties met per branch"), "meetings/_dashboard.html",
                                    "grassroots.meetings.dashboard.duties", order=40),),
            annual_sections=(Section("life", 40, "grassroots.meetings.summary.life_of",
                                     "grassroots.meetings.summary.life_text"),),
            point_sources=("grassroots.meetings.points.evidence",),
            demo="grassroots.demo.lifework.build_lifework", demo_order=20,  # the 2019 dues too: one pass over the roster
        ))
