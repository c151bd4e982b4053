from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Stable pages however the data changes between calls: ordered by id unless a view says."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500
