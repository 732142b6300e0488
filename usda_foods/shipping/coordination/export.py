"""The joint plan's carrier manifest (CSV/Excel rows and PDF), as one agency may see it: its own
stops in full, the partner state's by site name only. Every truck says whether it crosses a
state line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils import timezone

from usda_foods.shipping.coordination.selectors import VisibleTruck
from usda_foods.shipping.export import render_pdf
from usda_foods.shipping.models import JointPlan

MANIFEST_HEADER = ["joint_plan", "truck", "food", "material_code", "delivery_date", "crosses_state_line",
                   "stop_sequence", "state", "site", "district", "address", "cases", "truck_miles"]  # fmt: skip
KM_PER_MILE = 1.609344


def manifest_rows(joint: JointPlan, trucks: Sequence[VisibleTruck]) -> Iterator[list[object]]:
    for truck in trucks:
        for stop in truck.stops:
            yield [joint.pk, truck.number, joint.food.description, joint.food.material_code, truck.delivery_date,
                   "yes" if truck.crosses_state_line else "no", stop.sequence, stop.state, stop.site,
                   stop.district or "", stop.address or "", "" if stop.cases is None else stop.cases,
                   round(truck.distance_km / KM_PER_MILE, 1)]  # fmt: skip


def manifest_pdf(joint: JointPlan, trucks: Sequence[VisibleTruck]) -> bytes:
    context = {"joint": joint, "trucks": trucks, "generated_at": timezone.now()}
    return render_pdf("usda_foods/shipping/coordination/joint_pdf.html", context)


def state_plan_rows(joints: Sequence[tuple[JointPlan, Sequence[VisibleTruck]]]) -> Iterator[list[object]]:
    """Rows of binding joint trucks in a state plan's CSV (``shipping.export.CSV_HEADER``): truck
    ``J<joint plan>-<n>``, the partner state's stops by name and state only."""
    for joint, trucks in joints:
        for truck in trucks:
            for stop in truck.stops:
                yield [f"J{joint.pk}-{truck.number}", joint.food.description, joint.food.material_code,
                       truck.delivery_date, stop.sequence, stop.site, stop.district or "", stop.address or "", "",
                       stop.state, "", "", "", "" if stop.cases is None else stop.cases, truck.distance_km,
                       "yes" if truck.crosses_state_line else "no"]  # fmt: skip
