from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "grassroots.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register
        from grassroots.orgs.services import Roster, register_roster, register_tree_listener

        from .rollups import org_restated
        from .services import member_ids_on, member_reassign_by_id

        register_roster(Roster(member_ids_on=member_ids_on, reassign=member_reassign_by_id))
        register_tree_listener(org_restated)

        register(Module(
            label="members", title=_("Members"), urls="grassroots.members.urls", api="grassroots.members.api",
            nav=(Link(_("Transfers"), "transfers", key="transfers", order=20),
                 Link(_("Import"), "member-import", key="member-import", order=30)),
            dashboard_panels=(Panel("membership", _("Membership structure"), "members/_dashboard.html",
                                    "grassroots.members.dashboard.membership", order=10),),
            annual_sections=(Section("situation", 10, "grassroots.members.summary.situation_of",
                                     "grassroots.members.summary.situation_text"),),
            importers=(Importer("members", "grassroots.members.importer.cli_run",
                                org_help="the organization of rows that name none"),),
        ))
