"""Synonyms and brand aliases in the admin: edited as text, validated whole, and the one-step
synonym from a query that found nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from search.understanding.editable import DataError

from ..context import services
from . import forms
from .auth import current_user, signed_in
from .views import back, blueprint, form_errors

# -- synonyms and brand aliases --------------------------------------------------------------


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
        lines = [line.split("#", 1)[0] for line in (form.groups.data or "").splitlines()]
        groups = [[w.strip() for w in line.split(",")] for line in lines if line.strip()]
        try:
            saved = services().wording.save_synonyms(groups, user=user.name)
        except DataError as exc:
            flash(_("Nothing was saved: %(problem)s", problem=str(exc)), "error")
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
        problem = None
        for number, line in enumerate((form.aliases.data or "").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            typed, sep, catalog = line.partition("=")
            if not sep:
                problem = _("line %(number)s: write “typed = catalog”", number=number)
                break
            aliases[typed.strip()] = catalog.strip()
        try:
            if problem is not None:
                raise DataError(problem)
            saved = services().wording.save_aliases(aliases, user=user.name)
        except DataError as exc:
            flash(_("Nothing was saved: %(problem)s", problem=str(exc)), "error")
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
