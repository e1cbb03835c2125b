"""Serializers of the taxonomy API: representation only; writes go through services."""

from rest_framework import serializers

from taxonomy.models import (
    AuditEvent,
    Category,
    CategoryMapping,
    Release,
    ReleaseCategory,
    StandardRevision,
    Taxonomy,
)


class TaxonomySerializer(serializers.ModelSerializer):
    category_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    latest_release = serializers.SerializerMethodField()

    class Meta:
        model = Taxonomy
        fields = [
            "id",
            "name",
            "description",
            "max_depth",
            "revision",
            "category_count",
            "latest_release",
            "created_at",
        ]
        read_only_fields = ["revision", "created_at"]

    def get_latest_release(self, obj) -> str | None:
        release = obj.releases.order_by("-major", "-minor").first()
        return release.version if release else None


class StandardContentSerializer(serializers.Serializer):
    definition = serializers.CharField(allow_blank=True, required=False, default="")
    include_rules = serializers.CharField(allow_blank=True, required=False, default="")
    exclude_rules = serializers.CharField(allow_blank=True, required=False, default="")
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    examples = serializers.ListField(child=serializers.JSONField(), required=False, default=list)


class StandardRevisionSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = StandardRevision
        fields = [
            "id",
            "category",
            "number",
            "definition",
            "include_rules",
            "exclude_rules",
            "notes",
            "examples",
            "change_note",
            "author",
            "created_at",
        ]


class StandardReviseSerializer(StandardContentSerializer):
    change_note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class CategorySerializer(serializers.ModelSerializer):
    depth = serializers.IntegerField(read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)
    replaced_by_code = serializers.CharField(source="replaced_by.code", read_only=True, default=None, allow_null=True)
    descendants = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id",
            "taxonomy",
            "code",
            "name",
            "path",
            "depth",
            "parent",
            "parent_code",
            "status",
            "replaced_by",
            "replaced_by_code",
            "descendants",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_descendants(self, obj) -> int:
        return obj.get_descendant_count()


class CategoryCreateSerializer(serializers.Serializer):
    taxonomy = serializers.PrimaryKeyRelatedField(queryset=Taxonomy.objects.all())
    name = serializers.CharField(max_length=200)
    parent = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), allow_null=True, required=False)
    code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    standard = StandardContentSerializer(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why: shown in the audit log."
    )


class RenameSerializer(ReasonSerializer):
    name = serializers.CharField(max_length=200)


class MoveSerializer(ReasonSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, help_text="The new parent; null for the top level."
    )


class MergeSerializer(ReasonSerializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())


class SplitPartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    code = serializers.CharField(max_length=64, required=False)
    existing = serializers.CharField(max_length=64, required=False, help_text="Code of an existing category.")
    standard = StandardContentSerializer(required=False)

    def validate(self, attrs):
        if not attrs.get("name") and not attrs.get("existing"):
            raise serializers.ValidationError("Each part needs a 'name' (new) or 'existing' (a code).")
        return attrs


class SplitSerializer(ReasonSerializer):
    parts = SplitPartSerializer(many=True)


class TreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    depth = serializers.IntegerField()
    descendants = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Nested nodes of the same shape.")


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()
    status = serializers.CharField()
    depth = serializers.IntegerField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    max_depth = serializers.IntegerField(min_value=1, max_value=6, required=False)
    fold_deeper = serializers.BooleanField(required=False, default=False)


class PublishSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReleaseSerializer(serializers.ModelSerializer):
    version = serializers.CharField(read_only=True)
    published_by = serializers.StringRelatedField()
    previous_version = serializers.CharField(source="previous.version", default=None, read_only=True, allow_null=True)
    is_major = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "id",
            "taxonomy",
            "version",
            "major",
            "minor",
            "is_major",
            "previous",
            "previous_version",
            "notes",
            "summary",
            "published_by",
            "published_at",
        ]

    def get_is_major(self, obj) -> bool:
        return obj.minor == 0


class ReleaseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReleaseCategory
        fields = [
            "code",
            "name",
            "path",
            "parent_code",
            "level",
            "status",
            "replaced_by_code",
            "split_into_codes",
            "standard",
            "category",
        ]


class CategoryMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CategoryMapping
        fields = [
            "code",
            "category",
            "action",
            "renamed",
            "moved",
            "standard_changed",
            "old_path",
            "new_path",
            "target_codes",
        ]


class ReleaseDiffEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    action = serializers.CharField()
    renamed = serializers.BooleanField()
    moved = serializers.BooleanField()
    standard_changed = serializers.BooleanField()
    old_path = serializers.CharField()
    new_path = serializers.CharField()
    target_codes = serializers.ListField(child=serializers.CharField())


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    category_code = serializers.CharField(source="category.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "taxonomy",
            "category",
            "category_code",
            "actor",
            "action",
            "summary",
            "reason",
            "details",
            "created_at",
        ]
