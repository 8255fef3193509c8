"""The staff pages for residents' opinions (included at the site root)."""

from django.urls import path

from . import views_opinions as views

urlpatterns = [
    path("orgs/<str:code>/opinions/", views.opinion_list, name="opinion-list"),
    path("orgs/<str:code>/opinions/new/", views.opinion_new, name="opinion-new"),
    path("orgs/<str:code>/opinions/stats/", views.opinion_stats, name="opinion-stats"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion-detail"),
    path("opinions/<int:pk>/reveal/<str:field>/", views.opinion_reveal, name="opinion-reveal"),
    path("opinions/<int:pk>/assign/", views.opinion_assign, name="opinion-assign"),
    path("opinions/<int:pk>/escalate/", views.opinion_escalate, name="opinion-escalate"),
    path("opinions/<int:pk>/reply/", views.opinion_reply, name="opinion-reply"),
    path("opinions/<int:pk>/replies/<int:change>/publish/", views.opinion_reply_publish,
         name="opinion-reply-publish"),
    path("opinions/<int:pk>/replies/<int:change>/discard/", views.opinion_reply_discard,
         name="opinion-reply-discard"),
    path("opinions/<int:pk>/published/", views.opinion_set_published, name="opinion-set-published"),
    path("opinions/<int:pk>/attachments/", views.opinion_attach, name="opinion-attach"),
    path("opinions/<int:pk>/attachments/<int:attachment>/", views.opinion_attachment, name="opinion-attachment"),
]
