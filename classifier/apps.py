from django.apps import AppConfig


class ClassifierConfig(AppConfig):
    name = "classifier"
    verbose_name = "Classifier"

    def ready(self) -> None:
        from accounts import roles
        from annotation import hooks
        from taxonomy.signals import release_published

        from . import receivers

        release_published.connect(receivers.retrain_on_release, dispatch_uid="classifier.retrain_on_release")
        hooks.clip_ready.connect(receivers.prelabel_on_ready, dispatch_uid="classifier.prelabel_on_ready")
        hooks.project_queue_changed.connect(receivers.order_queue_on_change, dispatch_uid="classifier.order_queue")
        hooks.suggestion_providers.append(receivers.suggestion)
        # Reviewers (ops) and admins run the model: start/cancel runs, promote or roll back versions.
        ops = ["classifier.start_trainingrun", "classifier.promote_modelversion"]
        roles.role_permissions_extend(roles.REVIEWER, ops)
        roles.role_permissions_extend(roles.TAXONOMY_EDITOR, ["classifier.start_trainingrun"])
        roles.role_permissions_extend(roles.ADMIN, ops)
