from django.apps import AppConfig


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = "Annotation"

    def ready(self) -> None:
        from accounts import roles
        from taxonomy.signals import release_published

        from .receivers import migrate_labels_on_release

        # Everyone reads clips and programs (view_* via roles._READABLE_APPS); editors, reviewers and
        # admins bring clips in and edit their metadata; admins delete.
        edit = ["annotation.add_clip", "annotation.change_clip", "annotation.add_program", "annotation.change_program"]
        for role in (roles.TAXONOMY_EDITOR, roles.REVIEWER):
            roles.role_permissions_extend(role, edit)
        roles.role_permissions_extend(roles.ADMIN, [*edit, "annotation.delete_clip", "annotation.delete_program"])
        # Labeling: annotators and reviewers label; reviewers resolve reviews; editors set projects up
        # (a round of labeling samples belongs to refining the standards); admins do everything.
        roles.role_permissions_extend(roles.ANNOTATOR, ["annotation.add_label"])
        roles.role_permissions_extend(roles.REVIEWER, ["annotation.add_label", "annotation.review_task"])
        roles.role_permissions_extend(roles.TAXONOMY_EDITOR, ["annotation.manage_project"])
        roles.role_permissions_extend(
            roles.ADMIN, ["annotation.add_label", "annotation.review_task", "annotation.manage_project"]
        )
        release_published.connect(migrate_labels_on_release, dispatch_uid="annotation.migrate_labels")
