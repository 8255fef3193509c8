from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JointConfig(AppConfig):
    name = "grassroots.joint"
    label = "joint"
    verbose_name = _("Joint meetings")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, Panel, Section, register

        register(Module(
            label="joint", title=_("Joint meetings"), urls="grassroots.joint.urls", api="grassroots.joint.api",
            findings="grassroots.joint.findings",
            org_links=(Link(_("Joint meetings"), "joint-home", key="joint", order=72),),
            dashboard_panels=(Panel("joint", _("Joint meetings: meetings held, units attending, decisions, tasks"),
                                    "joint/_dashboard.html", "grassroots.joint.dashboard.joint", order=72),),
            annual_sections=(Section("joint", 72, "grassroots.joint.summary.joint_of",
                                     "grassroots.joint.summary.joint_text"),),
            demo_history="grassroots.joint.demo.demo_history", demo_order=75,
            meeting_pages=(("joint_meeting", "joint-session-of-meeting"),),
        ))
