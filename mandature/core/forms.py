"""What every form of Mandature shares: no control character gets in.

NUL is refused by PostgreSQL (an error 500) and the other control characters are invisible in
a name or a note but break exports, searches and letters. Every form mixes `CleanText` in
(tests/core/test_inputs.py checks it), so that it holds for forms written later too.
"""

from django import forms

from .text import strip_controls


class CleanText:
    """Drops control characters from what was sent before any field reads it; in a
    single-line field, a tab or a line break becomes a space. Passwords are left as typed."""

    def full_clean(self):
        if self.is_bound:
            self.data = self._without_controls(self.data)
        super().full_clean()

    def _without_controls(self, data):
        multiline, verbatim = set(), set()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea):
                multiline.add(self.add_prefix(name))
            elif isinstance(field.widget, forms.PasswordInput):
                verbatim.add(self.add_prefix(name))

        def clean(key, value):
            if not isinstance(value, str) or key in verbatim:
                return value
            return strip_controls(value, multiline=key in multiline)

        if hasattr(data, "lists"):  # a QueryDict (immutable) or a MultiValueDict
            cleaned = data.copy()
            for key, values in data.lists():
                cleaned.setlist(key, [clean(key, value) for value in values])
            return cleaned
        return {
            key: [clean(key, v) for v in value] if isinstance(value, list) else clean(key, value)
            for key, value in data.items()
        }
