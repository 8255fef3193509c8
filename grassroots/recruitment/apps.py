from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "grassroots.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, register

        register(Module(
            label="recruitment", title=_("Recruitment"), urls="grassroots.recruitment.urls",
            api="grassroots.recruitment.api", findings="grassroots.recruitment.findings",
            org_links=(Link(_("Recruitment pipeline"), "pipeline", key="pipeline", order=10, keep_as_of=True),),
        ))
