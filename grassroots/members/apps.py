from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "grassroots.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, register
        from grassroots.orgs.services import Roster, register_roster

        from .services import member_ids_on, member_reassign_by_id

        register_roster(Roster(member_ids_on=member_ids_on, reassign=member_reassign_by_id))

        register(Module(
            label="members", title=_("Members"), urls="grassroots.members.urls",
            nav=(Link(_("Transfers"), "transfers", key="transfers", order=20),
                 Link(_("Import"), "member-import", key="member-import", order=30)),
        ))
