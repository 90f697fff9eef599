"""Page numbers for every list: ``?page=2&page_size=50``."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """25 rows a page by default, at most 100. A page past the last one is a 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
