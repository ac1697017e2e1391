"""The REST API ``/api/v1/`` (django-ninja): thin handlers over the actions."""
