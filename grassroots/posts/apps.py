from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "grassroots.posts"
    label = "posts"
    verbose_name = _("Responsibility posts")

    def ready(self) -> None:
        from grassroots.core.modules import Importer, Link, Module, Panel, Section, register

        register(Module(
            label="posts", title=_("Responsibility posts"), urls="grassroots.posts.urls", api="grassroots.posts.api",
            findings="grassroots.posts.findings",
            org_links=(Link(_("Responsibility posts"), "post-list", key="posts", order=60),
                       Link(_("Notice board of responsibility posts"), "post-board", key="post-board", order=61)),
            member_links=(Link(_("Posts claimed"), "member-posts", key="member-posts", order=60),),
            dashboard_panels=(Panel("posts", _("Responsibility posts: seats claimed by kind"), "posts/_dashboard.html",
                                    "grassroots.posts.dashboard.posts", order=60),),
            annual_sections=(Section("posts", 60, "grassroots.posts.summary.posts_of",
                                     "grassroots.posts.summary.posts_text"),),
            importers=(Importer("posts", "grassroots.posts.importer.cli_run", org_required=True,
                                org_help="(required) the organization whose subtree the posts belong to"),),
            demo_history="grassroots.posts.demo.build", demo_order=60,
            public_links=(Link(_("Party members' responsibility posts"), "public-posts", key="posts", order=30,
                               shown_if="grassroots.posts.selectors.has_published_posts"),),
            point_sources=("grassroots.posts.points.evidence",),
        ))
