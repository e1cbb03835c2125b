"""Forms of the taxonomy pages (input checking only; the services decide)."""

from django import forms

from .models import Category


class TaxonomyForm(forms.Form):
    name = forms.CharField(max_length=200)
    max_depth = forms.IntegerField(min_value=1, max_value=6, initial=3)
    description = forms.CharField(widget=forms.Textarea, required=False)


class ImportForm(forms.Form):
    file = forms.FileField()
    name = forms.CharField(max_length=200, required=False, help_text="Default: the file's name.")
    max_depth = forms.IntegerField(min_value=1, max_value=6, initial=3)
    fold_deeper = forms.BooleanField(required=False, label="Fold deeper tiers into their level-3 ancestor")


class CategoryAddForm(forms.Form):
    name = forms.CharField(max_length=200)
    parent = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, widget=forms.HiddenInput)
    code = forms.CharField(max_length=64, required=False)
    reason = forms.CharField(required=False)

    def __init__(self, *args, taxonomy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(taxonomy=taxonomy)


class StandardForm(forms.Form):
    definition = forms.CharField(widget=forms.Textarea, required=False)
    include_rules = forms.CharField(widget=forms.Textarea, required=False)
    exclude_rules = forms.CharField(widget=forms.Textarea, required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    examples = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line: '+ ref note' for a positive, '- ref note' for a negative example.",
    )
    change_note = forms.CharField(max_length=500, required=False)

    def clean_examples(self):
        items = []
        for line in self.cleaned_data["examples"].splitlines():
            line = line.strip()
            if not line:
                continue
            kind = "negative" if line.startswith("-") else "positive"
            parts = line.lstrip("+-").strip().split(None, 1)
            items.append({"ref": parts[0], "kind": kind, "note": parts[1] if len(parts) > 1 else ""})
        return items

    @staticmethod
    def examples_text(examples: list[dict]) -> str:
        return "\n".join(
            f"{'-' if e.get('kind') == 'negative' else '+'} {e.get('ref', '')} {e.get('note', '')}".strip()
            for e in examples
        )
