from django.urls import path

from symfonie.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/export.csv", views.contacts_export_csv, name="contacts-export-csv"),
    path("contacts/export.xlsx", views.contacts_export_xlsx, name="contacts-export-xlsx"),
    path("escalations/", views.escalations, name="escalations"),
]
