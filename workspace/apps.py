from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The pages that put several apps' records side by side: each role's home, the family
    page, its chronology. It composes the apps' selectors and partial templates and owns no
    data of its own, so it sits above them all (README, "Design")."""

    name = "workspace"
    verbose_name = "Home pages and the family page"
