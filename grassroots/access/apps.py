from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "grassroots.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from grassroots.core.modules import Link, Module, register

        from . import logins

        # After django-axes' own receivers (its app comes first in INSTALLED_APPS): the request then carries
        # the address and whether the attempt was refused by a lock.
        user_logged_in.connect(logins.on_logged_in, dispatch_uid=logins.LOGGED_IN_UID)
        user_login_failed.connect(logins.on_login_failed, dispatch_uid="grassroots.access.logins.login_failed")
        user_locked_out.connect(logins.on_locked_out, dispatch_uid="grassroots.access.logins.locked_out")

        register(Module(
            label="access", title=_("Accounts"), urls="grassroots.access.urls",
            org_links=(Link(_("Accounts"), "org-accounts", key="accounts", order=90, write=True,
                            kinds=("committee", "working_committee", "general_branch", "branch")),),
            member_links=(Link(_("Own account"), "member-account", key="member-account", order=90, write=True),),
        ))
