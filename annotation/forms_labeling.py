"""Forms of the labeling pages: creating a project, adding a person to it, importing final labels."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from taxonomy.models import Release, Taxonomy

from .choices import MemberRole, QueueOrder
from .models import Program


class ProjectCreateForm(forms.Form):
    """The fields of `project_create`; the clip filter is spread over three plain fields."""

    name = forms.CharField(max_length=200)
    taxonomy = forms.ModelChoiceField(queryset=Taxonomy.objects.order_by("name"))
    release = forms.ModelChoiceField(
        queryset=Release.objects.select_related("taxonomy").order_by("taxonomy__name", "-major", "-minor"),
        required=False,
        empty_label="Latest release",
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.order_by("title"), required=False, empty_label="Any program"
    )
    tags = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": "comma-separated; a clip needs one of them"})
    )
    search = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": "text in the title or description"})
    )
    overlap = forms.IntegerField(min_value=1, max_value=10, initial=2, help_text="Labels per clip")
    queue_order = forms.ChoiceField(
        choices=QueueOrder.choices, initial=QueueOrder.SEQUENTIAL, help_text="Active learning: the model's pick"
    )
    gold_share = forms.FloatField(min_value=0.0, max_value=0.5, initial=0.0, help_text="0 to 0.5")
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        release, taxonomy = data.get("release"), data.get("taxonomy")
        if release is not None and taxonomy is not None and release.taxonomy_id != taxonomy.pk:
            self.add_error("release", "That release belongs to another taxonomy.")
        return data

    def clip_filter(self) -> dict:
        data = self.cleaned_data
        result: dict = {}
        if data.get("program"):
            result["program"] = data["program"].pk
        tags = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        if tags:
            result["tags"] = tags
        if (data.get("search") or "").strip():
            result["search"] = data["search"].strip()
        return result


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.ANNOTATOR)
    training_mode = forms.BooleanField(required=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"Nobody is called {username!r}.")
        return user


class LabelsImportForm(forms.Form):
    file = forms.FileField(help_text="CSV with clip_id (or checksum) and category_code")
