from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "grassroots.visits"
    label = "visits"
    verbose_name = _("Links and visits")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, Panel, Section, register

        register(Module(
            label="visits", title=_("Links and visits"), urls="grassroots.visits.urls", api="grassroots.visits.api",
            findings="grassroots.visits.findings",
            nav=(Link(_("Record a visit"), "visit-new", key="visit-new", order=66, write=True),),
            org_links=(Link(_("Visits"), "visit-org-list", key="visits", order=66),),
            household_links=(Link(_("Visits"), "visit-household", key="visits", order=10),),
            dashboard_panels=(Panel("visits", _("Home visits this year"), "visits/_dashboard.html",
                                    "grassroots.visits.dashboard.visits", order=66),),
            annual_sections=(Section("visits", 66, "grassroots.visits.summary.visits_of",
                                     "grassroots.visits.summary.visits_text"),),
            demo_history="grassroots.visits.demo.demo_history", demo_order=66,
        ))
