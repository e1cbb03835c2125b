from django.apps import AppConfig


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = "Annotation"

    def ready(self) -> None:
        from accounts import roles

        # Everyone reads clips and programs (view_* via roles._READABLE_APPS); editors, reviewers and
        # admins bring clips in and edit their metadata; admins delete.
        edit = ["annotation.add_clip", "annotation.change_clip", "annotation.add_program", "annotation.change_program"]
        for role in (roles.TAXONOMY_EDITOR, roles.REVIEWER):
            roles.role_permissions_extend(role, edit)
        roles.role_permissions_extend(roles.ADMIN, [*edit, "annotation.delete_clip", "annotation.delete_program"])
