from django.contrib.auth import views as auth_views
from django.urls import path

from symfonie.web import merges, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tenant/", views.switch_tenant, name="switch-tenant"),
    path("customers/<int:customer_id>/", views.customer, name="customer"),
    path("customers/<int:customer_id>/notes/", views.add_note, name="add-note"),
    path("merges/suggestions/", merges.suggestions, name="suggestions"),
    path("merges/suggestions/<int:suggestion_id>/", merges.suggestion, name="suggestion"),
    path("merges/", merges.merge_list, name="merges"),
    path("merges/<int:merge_id>/", merges.merge_detail, name="merge"),
]
