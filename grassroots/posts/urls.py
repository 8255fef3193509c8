"""Responsibility posts pages, included at the site root, and the public station page under p/."""

from django.urls import path

from grassroots.posts import imports, views

urlpatterns = [
    path("orgs/<str:code>/posts/", views.post_list, name="post-list"),
    path("orgs/<str:code>/posts/new/", views.post_new, name="post-new"),
    path("orgs/<str:code>/posts/claims/", views.claim_list, name="post-claim-list"),
    path("orgs/<str:code>/posts/kinds/", views.kinds, name="post-kinds"),
    path("orgs/<str:code>/posts/board/", views.board, name="post-board"),
    path("orgs/<str:code>/posts/import/", imports.post_import, name="post-import"),
    path("orgs/<str:code>/posts/import/template.xlsx", imports.post_import_template, name="post-import-template"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:pk>/claim/", views.post_claim, name="post-claim"),
    path("posts/post-claims/<int:pk>/approve/", views.claim_approve, name="post-claim-approve"),
    path("posts/post-claims/<int:pk>/decline/", views.claim_decline, name="post-claim-decline"),
    path("posts/post-claims/<int:pk>/withdraw/", views.claim_withdraw, name="post-claim-withdraw"),
    path("posts/post-claims/<int:pk>/end/", views.claim_end, name="post-claim-end"),
    path("posts/post-kinds/<int:pk>/", views.kind_edit, name="post-kind-edit"),
    path("posts/post-kinds/<int:pk>/active/", views.kind_active, name="post-kind-active"),
    path("members/<int:pk>/posts/", views.member_posts, name="member-posts"),
    path("p/<str:station>/posts/", views.public_posts, name="public-posts"),
]
