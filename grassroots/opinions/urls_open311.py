"""Open311 GeoReport v2, mounted at /open311/v2/ (the views and what they accept: grassroots/opinions/open311.py).

Every resource takes its format as a suffix (.json or .xml); a service code or request number may itself
contain dots, so the last dot starts the format.
"""

from django.urls import re_path

from . import open311

urlpatterns = [
    re_path(r"^services\.(?P<format>\w+)$", open311.services_list, name="open311-services"),
    re_path(r"^services/(?P<service_code>[^/]+)\.(?P<format>\w+)$", open311.service_definition,
            name="open311-service"),
    re_path(r"^requests\.(?P<format>\w+)$", open311.service_requests, name="open311-requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+)\.(?P<format>\w+)$", open311.service_request_detail,
            name="open311-request"),
]
