from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoursConfig(AppConfig):
    name = "grassroots.honours"
    label = "honours"
    verbose_name = _("Household honours")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, Panel, Section, register

        register(Module(
            label="honours", title=_("Household honours"), urls="grassroots.honours.urls",
            api="grassroots.honours.api", findings="grassroots.honours.findings",
            org_links=(Link(_("Model households"), "honours-list", key="honours", order=69),),
            household_links=(Link(_("Honours"), "honours-household", key="honours", order=40),),
            public_links=(Link(_("Model households"), "public-honours", key="honours", order=50,
                               shown_if="grassroots.honours.selectors.has_published"),),
            dashboard_panels=(Panel("honours", _("Model households this year"), "honours/_dashboard.html",
                                    "grassroots.honours.dashboard.honours", order=69),),
            annual_sections=(Section("honours", 69, "grassroots.honours.summary.honours_of",
                                     "grassroots.honours.summary.honours_text"),),
            demo_history="grassroots.honours.demo.demo_history", demo_order=69,
        ))
