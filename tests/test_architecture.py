"""The architecture holds: every tenant-owned model has a tenancy rule, no module is past 500 lines
or imports another's private names, and the import-linter contracts in pyproject.toml pass and can
fail."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q

from districts import access
from focus_lab import architecture

# The organisations that own data: a model that points to one of them, or to a model that does,
# belongs to a tenant and must have a rule in districts/access.py's registry.
TENANT_ROOTS = {
    "districts.District",
    "districts.StateAgency",
    "districts.Collaborative",
    "partners.PartnerOrganisation",
}


def _relations(model: type[models.Model]) -> set[str]:
    return {
        field.related_model._meta.label
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model is not None
        and (field.many_to_one or field.one_to_one or field.many_to_many)
    }  # fmt: skip


def _is_audit_event(model: type[models.Model]) -> bool:
    """pghistory's event tables: the audit trail, read only by superusers in the Django admin."""
    import pghistory.models

    return issubclass(model, pghistory.models.Event)


def tenant_models_without_rule(candidates: list[type[models.Model]]) -> list[str]:
    owned = set(TENANT_ROOTS)
    changed = True
    while changed:  # close over "points to a model that belongs to a tenant"
        changed = False
        for model in candidates:
            label = model._meta.label
            if label not in owned and _relations(model) & owned:
                owned.add(label)
                changed = True
    registered = access.registered_labels()
    return sorted(
        model._meta.label
        for model in candidates
        if model._meta.label in owned and model._meta.label not in registered and not _is_audit_event(model)
    )


def test_every_tenant_owned_model_has_a_tenancy_rule():
    assert tenant_models_without_rule(list(apps.get_models())) == []


def test_a_new_model_registered_without_a_rule_fails_the_check():
    class Farm(models.Model):  # noqa: DJ008  (a throwaway model, as a new feature would add one)
        district = models.ForeignKey("districts.District", on_delete=models.CASCADE)

        class Meta:
            app_label = "purchasing"

    class FarmVisit(models.Model):  # noqa: DJ008  (belongs to a district through its farm)
        farm = models.ForeignKey(Farm, on_delete=models.CASCADE)

        class Meta:
            app_label = "purchasing"

    try:
        candidates = list(dict.fromkeys([*apps.get_models(), Farm, FarmVisit]))
        assert tenant_models_without_rule(candidates) == ["purchasing.Farm", "purchasing.FarmVisit"]
        access.register("purchasing.Farm", lambda user, *, write: Q(pk__in=[]))
        access.register_child("purchasing.FarmVisit", parent="purchasing.Farm", via="farm")
        assert tenant_models_without_rule(candidates) == []
    finally:
        access.unregister("purchasing.Farm")
        access.unregister("purchasing.FarmVisit")
        apps.all_models["purchasing"].pop("farm", None)
        apps.all_models["purchasing"].pop("farmvisit", None)
        apps.clear_cache()


def test_can_create_reads_the_registration():
    from accounts.models import Role, User

    user = User(email="x@example.com", is_active=True)
    user._focus_roles = frozenset({Role.SDA_REVIEWER})
    from usda_foods.ordering.models import Order, OrderWindow

    assert access.can_create(user, OrderWindow) and not access.can_create(user, Order)


def test_no_module_is_past_500_lines_or_imports_private_names():
    paths = list(architecture.project_modules())
    assert len(paths) > 100
    assert architecture.oversized_modules(paths) == []
    assert architecture.private_imports(paths) == []


def test_the_checks_catch_a_long_module_and_a_private_import(tmp_path: Path):
    long_module = tmp_path / "usda_foods" / "long.py"
    long_module.parent.mkdir()
    long_module.write_text("x = 1\n" * 501)
    nosy = tmp_path / "usda_foods" / "nosy.py"
    nosy.write_text("from usda_foods.long import _hidden, visible\n")
    paths = [long_module, nosy]
    assert [str(p) for p in architecture.oversized_modules(paths, root=tmp_path)] == [
        "usda_foods/long.py:501: 501 lines (at most 500): split it by area"
    ]
    assert [str(p) for p in architecture.private_imports(paths, root=tmp_path)] == [
        "usda_foods/nosy.py:1: imports private usda_foods.long._hidden"
    ]


def _lint(root: Path, planner_source: str) -> subprocess.CompletedProcess[str]:
    """Run import-linter's pure-rules contract on a miniature copy of the layout."""
    planner = root / "usda_foods" / "shipping" / "planner"
    planner.mkdir(parents=True, exist_ok=True)
    for package in (root / "usda_foods", root / "usda_foods" / "shipping"):
        (package / "__init__.py").write_text("")
    (planner / "__init__.py").write_text(planner_source)
    (root / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.importlinter]
        root_packages = ["usda_foods"]
        include_external_packages = true

        [[tool.importlinter.contracts]]
        name = "The planner imports no Django"
        type = "forbidden"
        source_modules = ["usda_foods.shipping.planner"]
        forbidden_modules = ["django"]
        """))  # fmt: skip
    lint = Path(sys.executable).parent / "lint-imports"
    return subprocess.run([str(lint), "--no-cache"], cwd=root, text=True,
                          capture_output=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})  # fmt: skip


@pytest.mark.parametrize(
    ("source", "kept"),
    [("import math\n", True), ("import math\nfrom django.db import models\n", False)],
    ids=["pure", "imports-django"],
)
def test_the_import_contracts_fail_when_the_planner_imports_django(tmp_path: Path, source: str, kept: bool):
    result = _lint(tmp_path, source)
    assert (result.returncode == 0) is kept, result.stdout + result.stderr
    assert ("KEPT" if kept else "BROKEN") in result.stdout


def test_the_projects_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=architecture.ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_every_task_sent_by_name_exists():
    """Services send tasks by dotted path (``enqueue``, ``job_create(task=...)``) to avoid import
    loops; a typo there would only show when the task is sent, so resolve every one now."""
    import re

    from celery import Task
    from django.utils.module_loading import import_string

    pattern = re.compile(r"""(?:enqueue\(\s*|task=)"([\w.]+)\"""")
    paths = {
        match
        for module in architecture.project_modules()
        for match in pattern.findall(module.read_text(encoding="utf-8"))
    }
    assert len(paths) >= 6
    for path in sorted(paths):
        assert isinstance(import_string(path), Task), path
