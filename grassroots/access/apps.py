from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "grassroots.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from grassroots.core.modules import Link, Module, register

        register(Module(
            label="access", title=_("Accounts"), urls="grassroots.access.urls",
            org_links=(Link(_("Accounts"), "org-accounts", key="accounts", order=90, write=True,
                            kinds=("committee", "working_committee", "general_branch", "branch")),),
            member_links=(Link(_("Own account"), "member-account", key="member-account", order=90, write=True),),
        ))
