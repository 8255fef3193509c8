"""Party dues pages: a branch's ledger, the payment-sheet import, the year's assessments in one step, a member's
statement."""

from django.urls import path

from grassroots.dues import views

urlpatterns = [
    path("orgs/<str:code>/dues/", views.ledger, name="dues-ledger"),
    path("orgs/<str:code>/dues/import/", views.dues_import, name="dues-import"),
    path("orgs/<str:code>/dues/year/", views.assess_year, name="dues-assess-year"),
    path("members/<int:pk>/dues/", views.statement, name="dues-statement"),
]
