"""The spending pages: where to start (the dashboards the user may open), a district's dashboard,
a lab's dashboard, every table as CSV or XLSX, and the lab's goals (set by its admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from districts import access
from districts.models import Collaborative, District
from focus_lab.errors import DomainError
from focus_lab.exports import table_response
from purchasing.access import lab_ids
from purchasing.spend import rules
from purchasing.spend.dashboards import dashboard
from purchasing.spend.forms import GoalForm, administered_labs
from purchasing.spend.models import Goal
from purchasing.spend.selectors import Dashboard, lab_for
from purchasing.spend.services import goal_create, goal_delete, goal_update


def request_period(request: HttpRequest) -> rules.Period | None:
    """The period asked for, or ``None`` for the latest school year with purchases."""
    school_year, month = request.GET.get("school_year"), request.GET.get("month")
    if not (school_year or month):
        return None
    return rules.parse_period(school_year=school_year, month=month, default=access.today())


def _district(request: HttpRequest, pk: int) -> District:
    return access.get_for_user(District.objects.select_related("collaborative"), request.user, pk)


def _district_board(request: HttpRequest, pk: int) -> Dashboard:
    district = _district(request, pk)
    return dashboard(user=request.user, lab=district.collaborative, district=district,
                     period=request_period(request), today=access.today())  # fmt: skip


def _lab_board(request: HttpRequest, pk: int) -> Dashboard:
    return dashboard(user=request.user, lab=lab_for(request.user, pk), period=request_period(request),
                     today=access.today())  # fmt: skip


@login_required
def spend_home(request: HttpRequest) -> HttpResponse:
    districts = District.objects.for_user(request.user).order_by("name")
    labs = Collaborative.objects.order_by("name")
    if not request.user.is_superuser:
        labs = labs.filter(id__in=lab_ids(request.user))
    return render(request, "purchasing/spend/home.html", {"districts": districts, "labs": labs})


def _render(request: HttpRequest, board: Dashboard, export_url: str) -> HttpResponse:
    this_year = rules.school_year_of(access.today())
    years = sorted({*range(this_year - 4, this_year + 1), board.period.school_year}, reverse=True)
    return render(request, "purchasing/spend/dashboard.html", {
        "board": board, "export_url": export_url, "years": [(y, rules.school_year_label(y)) for y in years],
        "months": [(f"{m:%Y-%m}", rules.month_label(m)) for m in rules.school_year_months(board.period.school_year)],
        "panels": [{"table": t, "data": t.chart_data(), "data_id": f"chart-data-{t.slug}"} for t in board.tables],
        "can_set_goals": administered_labs(request.user).filter(pk=board.scope.lab.pk).exists(),
    })  # fmt: skip


@login_required
def district_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _district_board(request, pk), reverse("purchasing:spend-district", args=[pk]))


@login_required
def lab_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _lab_board(request, pk), reverse("purchasing:spend-lab", args=[pk]))


def _export(board: Dashboard, slug: str, fmt: str, name: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("CSV or XLSX.")
    table = board.table(slug)
    filename = f"{name}-{table.slug}-{board.period.label.replace(' ', '-')}".lower()
    return table_response(fmt=fmt, filename=filename, header=table.header, rows=table.export_rows())


@login_required
def district_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    return _export(_district_board(request, pk), table, fmt, f"spend-district-{pk}")


@login_required
def lab_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    return _export(_lab_board(request, pk), table, fmt, f"spend-lab-{pk}")


@login_required
def goal_list(request: HttpRequest) -> HttpResponse:
    goals = Goal.objects.for_user(request.user).select_related("collaborative", "district", "priority_item")
    return render(request, "purchasing/spend/goal_list.html", {
        "goals": goals.order_by("collaborative__name", "school_year", "pk"),
        "can_set": administered_labs(request.user).exists(),
        "writable": set(Goal.objects.for_user(request.user, write=True).values_list("pk", flat=True)),
    })  # fmt: skip


def _goal_form(request: HttpRequest, goal: Goal | None) -> HttpResponse:
    form = GoalForm(request.POST or None, instance=goal, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if goal is None:
                goal = goal_create(user=request.user, **data)
            else:
                goal_update(user=request.user, goal_id=goal.pk, **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Goal saved: {goal}.")
            return redirect("purchasing:goal-list")
    return render(request, "purchasing/spend/goal_form.html", {"form": form, "goal": goal})


@login_required
def goal_create_view(request: HttpRequest) -> HttpResponse:
    if not administered_labs(request.user).exists():
        raise PermissionDenied("Only a learning lab's admins set its goals.")
    return _goal_form(request, None)


@login_required
def goal_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _goal_form(request, access.get_for_user(Goal.objects.all(), request.user, pk, write=True))


@login_required
@require_POST
def goal_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    goal = access.get_for_user(Goal.objects.all(), request.user, pk, write=True)
    goal_delete(user=request.user, goal_id=goal.pk)
    messages.success(request, f"Goal removed: {goal}.")
    return redirect("purchasing:goal-list")
