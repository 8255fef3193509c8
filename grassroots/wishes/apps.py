from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "grassroots.wishes"
    label = "wishes"
    verbose_name = _("Micro-wishes")

    def ready(self) -> None:
        from grassroots.core import ratelimit
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        # Five wishes in ten minutes from one address (overridable by settings.GRASSROOTS_RATE_LIMITS).
        ratelimit.DEFAULT_LIMITS.setdefault("wish_submit", (5, 600))
        shown = "grassroots.wishes.selectors.intake_open"
        register(Module(
            label="wishes", title=_("Micro-wishes"), urls="grassroots.wishes.urls", api="grassroots.wishes.api",
            findings="grassroots.wishes.findings",
            nav=(Link(_("Wishes to claim"), "wish-open", key="wishes-open", order=60),),
            org_links=(Link(_("Micro-wishes"), "wish-list", key="wishes", order=60),
                       Link(_("Wish intake set-up"), "wish-intake", key="wish-intake", order=61, write=True)),
            member_links=(Link(_("Wishes I claimed"), "wish-member", key="wishes-claimed", order=60),),
            dashboard_panels=(Panel("wishes", _("Micro-wishes this year"), "wishes/_dashboard.html",
                                    "grassroots.wishes.dashboard.wishes", order=60),),
            annual_sections=(Section("wishes", 60, "grassroots.wishes.summary.wishes_of",
                                     "grassroots.wishes.summary.wishes_text"),),
            importers=(Importer("wishes", "grassroots.wishes.importer.cli_run", org_required=True,
                                org_help="(required) the organization whose wishes they are"),),
            demo_history="grassroots.wishes.demo.demo_history", demo_order=60,
            public_links=(Link(_("Make a micro-wish"), "public-wish-form", key="wish-form", order=30,
                               shown_if=shown),
                          Link(_("Published micro-wishes"), "public-wish-published", key="wish-published",
                               order=31, shown_if=shown),
                          Link(_("Follow a wish"), "public-wish-track", key="wish-track", order=32,
                               shown_if=shown)),
            point_sources=("grassroots.wishes.points.evidence",),
        ))
