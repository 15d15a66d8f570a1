"""Synonyms and brand aliases in the admin: edited as text, validated whole, and the one-step
synonym from a query that found nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from search.understanding.editable import DataError

from ..context import services
from . import forms
from .auth import current_user, signed_in
from .views import back, blueprint, form_errors

# What search/understanding/editable.py refuses, said in the page's language.
PROBLEMS = {
    "not_word": _l("“%(word)s” is not a word"),
    "too_long": _l("“%(word)s” is too long"),
    "not_searchable": _l("search finds nothing by “%(word)s” alone"),
    "one_word": _l("“%(word)s” must be one word"),
    "twice": _l("“%(word)s” appears twice"),
    "size": _l("a group needs two words or more"),
    "sides": _l("write one word on each side of “=”"),
    "same": _l("“%(word)s” stands for itself"),
}


def problem(exc: DataError, lines: list[int]) -> str:
    """The refusal in the page's language, naming the line of the text area."""
    text = PROBLEMS.get(exc.reason)
    what = str(text) % {"word": exc.word} if text is not None else str(exc)
    if 0 < exc.number <= len(lines):
        return _("line %(number)s: %(problem)s", number=lines[exc.number - 1], problem=what)
    return what


def numbered(text: str) -> list[tuple[int, str]]:
    """The text area's lines that hold something, with their numbers ('#' starts a comment)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            found.append((number, line))
    return found


@blueprint.get("/synonyms")
@signed_in()
def synonyms():
    wording = services().wording
    return render_template(
        "admin/synonyms.html",
        synonyms_form=forms.SynonymsForm(
            formdata=None, data={"groups": "\n".join(", ".join(g) for g in wording.synonyms())}
        ),
        aliases_form=forms.AliasesForm(
            formdata=None,
            data={"aliases": "\n".join(f"{k} = {v}" for k, v in wording.aliases().items())},
        ),
    )


@blueprint.post("/synonyms")
@signed_in()
def save_synonyms():
    form = forms.SynonymsForm()
    user = current_user()
    if form.validate_on_submit() and user is not None:
        lines = numbered(form.groups.data or "")
        groups = [[w.strip() for w in line.split(",")] for _number, line in lines]
        try:
            saved = services().wording.save_synonyms(groups, user=user.name)
        except DataError as exc:
            why = problem(exc, [number for number, _line in lines])
            flash(_("Nothing was saved: %(problem)s", problem=why), "error")
            return _synonyms_again(groups_text=form.groups.data or "")
        flash(_("Saved %(count)s synonym groups; search uses them now.", count=len(saved)), "ok")
    return redirect(url_for("admin.synonyms"))


@blueprint.post("/aliases")
@signed_in()
def save_aliases():
    form = forms.AliasesForm()
    user = current_user()
    if form.validate_on_submit() and user is not None:
        aliases: dict[str, str] = {}
        lines: list[int] = []
        try:
            for number, line in numbered(form.aliases.data or ""):
                typed, sep, catalog = (part.strip() for part in line.partition("="))
                if not sep or typed in aliases:
                    reason = "twice" if sep else "sides"
                    raise DataError(line, reason, typed, len(lines) + 1)
                aliases[typed] = catalog
                lines.append(number)
            saved = services().wording.save_aliases(aliases, user=user.name)
        except DataError as exc:
            if exc.number > len(lines):  # refused while reading the text area
                lines.append(number)
            why = problem(exc, lines)
            flash(_("Nothing was saved: %(problem)s", problem=why), "error")
            return _synonyms_again(aliases_text=form.aliases.data or "")
        flash(_("Saved %(count)s brand aliases; search uses them now.", count=len(saved)), "ok")
    return redirect(url_for("admin.synonyms"))


def _synonyms_again(groups_text: str | None = None, aliases_text: str | None = None):
    """The synonyms page with what was typed kept, so a refused edit loses nothing."""
    wording = services().wording
    if groups_text is None:
        groups_text = "\n".join(", ".join(g) for g in wording.synonyms())
    if aliases_text is None:
        aliases_text = "\n".join(f"{k} = {v}" for k, v in wording.aliases().items())
    page = render_template(
        "admin/synonyms.html",
        synonyms_form=forms.SynonymsForm(formdata=None, data={"groups": groups_text}),
        aliases_form=forms.AliasesForm(formdata=None, data={"aliases": aliases_text}),
    )
    return page, 400


@blueprint.post("/synonyms/add")
@signed_in()
def add_synonym():
    """One step from a query that found nothing: it means this word."""
    form = forms.AddSynonymForm()
    user = current_user()
    if form.validate_on_submit() and user is not None:
        try:
            services().wording.add_synonym(form.word.data, form.synonym.data, user=user.name)
        except DataError as exc:
            flash(_("Nothing was saved: %(problem)s", problem=str(exc)), "error")
        else:
            flash(_("“%(word)s” now also finds “%(synonym)s”.", word=form.word.data,
                    synonym=form.synonym.data), "ok")  # fmt: skip
    else:
        form_errors(form)
    return back(url_for("admin.reports"))
