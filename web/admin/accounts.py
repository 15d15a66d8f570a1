"""For admins only: the audit log and the accounts (add, set a password, disable, enable)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from merchandising.accounts import ROLES

from ..context import services
from . import forms
from .auth import current_user, signed_in
from .views import blueprint, form_errors, role_label

# -- admins: audit log and accounts -------------------------------------------------------------


@blueprint.get("/audit")
@signed_in("audit")
def audit():
    try:
        limit = max(1, min(int(request.args.get("limit", "200")), 1000))
    except ValueError:
        limit = 200
    return render_template("admin/audit.html", entries=services().audit.recent(limit))


@blueprint.route("/users", methods=["GET", "POST"])
@signed_in("accounts")
def users():
    svc = services()
    form = forms.UserForm()
    form.role.choices = [(role, role_label(role)) for role in ROLES]
    status = 200
    if form.validate_on_submit():
        user = current_user()
        assert user is not None
        try:
            saved = svc.accounts.add(form.name.data.strip(), form.password.data, form.role.data,
                                     by=user.name)  # fmt: skip
        except ValueError as exc:
            flash(str(exc), "error")
            status = 400
        else:
            flash(_("Account %(name)s saved.", name=saved.name), "ok")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        form_errors(form)
        status = 400
    return render_template("admin/users.html", form=form, accounts=svc.accounts.list()), status


@blueprint.post("/users/<name>/<any(disable, enable):change>")
@signed_in("accounts")
def change_user(name: str, change: str):
    user = current_user()
    if forms.ActionForm().validate_on_submit() and user is not None:
        if name == user.name and change == "disable":
            flash(_("You cannot disable your own account."), "error")
        else:
            try:
                services().accounts.set_disabled(name, change == "disable", by=user.name)
            except ValueError as exc:
                flash(str(exc), "error")
            else:
                flash(_("Account %(name)s disabled.", name=name) if change == "disable"
                      else _("Account %(name)s enabled.", name=name), "ok")  # fmt: skip
    return redirect(url_for("admin.users"))
