from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "grassroots.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, Panel, Section, register

        register(Module(
            label="recruitment", title=_("Recruitment"), urls="grassroots.recruitment.urls",
            api="grassroots.recruitment.api", findings="grassroots.recruitment.findings",
            org_links=(Link(_("Recruitment pipeline"), "pipeline", key="pipeline", order=10, keep_as_of=True),),
            dashboard_panels=(Panel("recruitment", _("Recruitment pipeline"), "recruitment/_dashboard.html",
                                    "grassroots.recruitment.dashboard.recruitment", order=20),),
            annual_sections=(Section("recruitment", 20, "grassroots.recruitment.summary.recruitment_of",
                                     "grassroots.recruitment.summary.recruitment_text"),),
            demo="grassroots.demo.recruitment.build_recruitment", demo_order=10,
        ))
