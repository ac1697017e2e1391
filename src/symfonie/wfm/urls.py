from django.urls import path

from symfonie.wfm import views

app_name = "wfm"

urlpatterns = [
    path("", views.planner, name="planner"),
    path("what-if/", views.what_if_page, name="what-if"),
    path("intraday/", views.intraday, name="intraday"),
    path("schedule.csv", views.schedule_csv, name="schedule-csv"),
    path("forecast.csv", views.forecast_csv, name="forecast-csv"),
]
