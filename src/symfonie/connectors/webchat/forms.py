"""The start form of a web chat: who the customer is and what the question is."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

QUESTION_MAX_CHARS = 2000
#: The honeypot: hidden from people by CSS, a field that form-filling bots fill in.
HONEYPOT_FIELD = "website"


class StartForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_("With your e-mail address we can find your earlier questions."),
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # the routing queue chosen by ?queue= on the start page; checked again by the view
    queue = forms.SlugField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def caught_bot(self) -> bool:
        """True when the honeypot was filled in (read from the raw data: valid or not)."""
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())
