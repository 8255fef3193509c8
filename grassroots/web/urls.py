from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_write
from . import views_recruitment as recruitment

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", views.org_tree, name="org-tree"),
    path("orgs/<str:code>/", views.org_detail, name="org-detail"),
    path("orgs/<str:code>/children/add/", views_write.org_create_child, name="org-create-child"),
    path("orgs/<str:code>/rename/", views_write.org_rename, name="org-rename"),
    path("orgs/<str:code>/move/", views_write.org_move, name="org-move"),
    path("orgs/<str:code>/upgrade/", views_write.org_upgrade, name="org-upgrade"),
    path("orgs/<str:code>/merge/", views_write.org_merge, name="org-merge"),
    path("orgs/<str:code>/revoke/", views_write.org_revoke, name="org-revoke"),
    path("orgs/<str:code>/members/add/", views_write.member_add, name="org-member-add"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/events/add/", views_write.member_event_add, name="member-event-add"),
    path("members/<int:pk>/edit/", views_write.member_edit, name="member-edit"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member-reveal"),
    path("import/members/", views.member_import, name="member-import"),
    path("import/members/template.xlsx", views.member_import_template, name="member-import-template"),
    path("audit/", views.audit_log, name="audit-log"),
    path("orgs/<str:code>/pipeline/", recruitment.pipeline, name="pipeline"),
    path("candidates/<int:pk>/", recruitment.candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/notice/print/", recruitment.candidate_notice_print, name="candidate-notice-print"),
    path("candidates/<int:pk>/votes/<int:vote_pk>/print/", recruitment.vote_print, name="candidate-vote-print"),
]
urlpatterns.append(path("transfers/", ("grassroots.web.views_transfers", None, None)))  # = include()
from . import views_meetings as meetings_views  # noqa: E402 (issue 4: organizational life)

urlpatterns += [
    path("orgs/<str:code>/meetings/", meetings_views.meetings, name="meetings"),
    path("orgs/<str:code>/meetings/sign-in/", meetings_views.signin_sheet, name="signin-sheet"),
    path("meetings/<int:pk>/", meetings_views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/attachments/<int:attachment>/", meetings_views.meeting_attachment,
         name="meeting-attachment"),
    path("orgs/<str:code>/duties/", meetings_views.duties, name="duties"),
    path("orgs/<str:code>/calendar/", meetings_views.org_calendar, name="org-calendar"),
    path("members/<int:pk>/calendar/", meetings_views.member_calendar, name="member-calendar"),
    path("calendar/<str:token>.ics", meetings_views.calendar_feed, name="calendar-feed"),
]
from . import views_dues as dues_views  # noqa: E402 (issue 4: Party dues)

urlpatterns += [
    path("orgs/<str:code>/dues/", dues_views.ledger, name="dues-ledger"),
    path("orgs/<str:code>/dues/import/", dues_views.dues_import, name="dues-import"),
    path("members/<int:pk>/dues/", dues_views.statement, name="dues-statement"),
    path("", include("grassroots.web.urls_opinions")),
    path("", include("grassroots.web.urls_opinion_import")),
    path("", include("grassroots.web.urls_reports")),
    path("", include("grassroots.web.urls_dashboards")),
    path("p/", include("grassroots.web.urls_public")),
]
