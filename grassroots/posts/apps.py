from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "grassroots.posts"
    label = "posts"
    verbose_name = _("Responsibility posts")

    def ready(self) -> None:
        from grassroots.core.modules import Module, register

        register(Module(label="posts", title=_("Responsibility posts")))
