from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "grassroots.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, register

        register(Module(
            label="orgs", title=_("Organizations"), urls="grassroots.orgs.urls", api="grassroots.orgs.api",
            nav=(Link(_("Organizations"), "org-tree", key="org-tree", order=10),
                 Link(_("Import organizations"), "org-import", key="org-import", order=31, write=True)),
            org_links=(Link(_("Territory"), "org-territory", key="org-territory", order=90,
                            kinds=("committee", "working_committee", "general_branch", "branch")),),
            importers=(Importer(what="orgs", run="grassroots.orgs.importer.cli_run", org_required=False),),
        ))
