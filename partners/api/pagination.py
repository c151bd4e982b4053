from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 500


def page_size_from(request, *, default: int) -> int:
    """`?page_size=`: a whole number from 1 to MAX_PAGE_SIZE, or the default when left out.

    Anything else (`null`, empty, 0, 501) is a 400 problem naming the parameter, as the
    schema says, never quietly the default page.
    """
    given = request.query_params.get("page_size")
    if given is None:
        return default
    if not (given.isascii() and given.isdecimal() and 1 <= int(given) <= MAX_PAGE_SIZE):
        raise ValidationError(
            {"page_size": [f"Give a whole number from 1 to {MAX_PAGE_SIZE}, or leave it out"]}
        )
    return int(given)


class Cursor(CursorPagination):
    """Stable pages however the data changes between calls: ordered by id unless a view says."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(request, default=self.page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=MAX_PAGE_SIZE)
        return parameters
