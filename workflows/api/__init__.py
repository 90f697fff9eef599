"""The JSON REST API (Django REST framework, drf-spectacular): /api/v1/.

Views only translate HTTP to the same services, selectors and permission checks the pages
use; no rule lives here.
"""
