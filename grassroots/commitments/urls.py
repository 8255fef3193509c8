"""Public commitments pages (included at the site root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<str:code>/commitments/", views.commitments, name="commitments"),
    path("orgs/<str:code>/commitments/new/", views.commitment_new, name="commitment-new"),
    path("orgs/<str:code>/commitments/notice/", views.commitments_notice, name="commitments-notice"),
    path("orgs/<str:code>/commitments/import/", views.commitments_import, name="commitments-import"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment-detail"),
    path("commitments/progress/<int:pk>/photo/", views.progress_photo, name="commitment-photo"),
    path("members/<int:pk>/commitments/", views.member_commitments, name="member-commitments"),
    path("p/<str:station>/commitments/", views.public_commitments, name="public-commitments"),
]
