from .audit import current_ip
from .network import client_ip


class AuditContextMiddleware:
    """Makes the client's address (behind the proxies, see ``permissions.network``)
    available to ``audit_record``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
