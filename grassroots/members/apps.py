from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "grassroots.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, register

        register(Module(
            label="members", title=_("Members"), urls="grassroots.members.urls", api="grassroots.members.api",
            nav=(Link(_("Transfers"), "transfers", key="transfers", order=20),
                 Link(_("Import"), "member-import", key="member-import", order=30)),
        ))
