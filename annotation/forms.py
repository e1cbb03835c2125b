"""Forms of the clip and program pages."""

from django import forms

from .choices import ProgramKind
from .models import Program


class ClipMetadataForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    tags = forms.CharField(required=False, help_text="Comma-separated")
    program = forms.ModelChoiceField(queryset=Program.objects.all(), required=False)


class ProgramForm(forms.Form):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=ProgramKind.choices)
    year = forms.IntegerField(required=False, min_value=1880, max_value=2100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
