"""The state's alternatives to adjustments: which steps, in what order, and its warehouse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from districts.models import StateAgency
from usda_foods.shipping.placement import STEPS, steps_for
from usda_foods.shipping.selectors import state_warehouse


class PlacementForm(forms.Form):
    """One "use" box and one position per registered step (splits always first, proposed
    adjustments always last), and the state warehouse (leave its name empty for none)."""

    warehouse_name = forms.CharField(label="Warehouse name", max_length=200, required=False,
                                     help_text="A real location of the state agency that receives any quantity. "
                                               "Leave empty if the state has none.")  # fmt: skip
    warehouse_address = forms.CharField(label="Warehouse address", max_length=300, required=False)
    warehouse_latitude = forms.DecimalField(label="Latitude", max_digits=9, decimal_places=6, required=False,
                                            min_value=Decimal("-90"), max_value=Decimal("90"))  # fmt: skip
    warehouse_longitude = forms.DecimalField(label="Longitude", max_digits=9, decimal_places=6, required=False,
                                             min_value=Decimal("-180"), max_value=Decimal("180"))  # fmt: skip

    def __init__(self, *args: Any, state: StateAgency, **kwargs: Any) -> None:
        chosen = steps_for(state.pk)
        initial = {}
        for position, name in enumerate([*chosen, *[n for n in STEPS if n not in chosen]], start=1):
            initial[f"use_{name}"] = name in chosen
            initial[f"order_{name}"] = position
        warehouse = state_warehouse(state.pk)
        if warehouse is not None:
            initial.update(warehouse_name=warehouse.name, warehouse_address=warehouse.address,
                           warehouse_latitude=warehouse.latitude, warehouse_longitude=warehouse.longitude)  # fmt: skip
        super().__init__(*args, initial=initial, **kwargs)
        for name, step in STEPS.items():
            self.fields[f"use_{name}"] = forms.BooleanField(label=f"Use: {step.label}", required=False,
                                                            help_text=step.help)  # fmt: skip
            self.fields[f"order_{name}"] = forms.IntegerField(label=f"Position of “{step.label}”", min_value=1,
                                                              max_value=len(STEPS))  # fmt: skip
        self.step_fields = [(self[f"use_{n}"], self[f"order_{n}"]) for n in STEPS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if any(f"order_{n}" not in data for n in STEPS):
            return data
        used = sorted((data[f"order_{n}"], n) for n in STEPS if data.get(f"use_{n}"))
        if len({pos for pos, _ in used}) != len(used):
            raise forms.ValidationError("Give each step you use its own position.")
        wh = [data.get(f) not in (None, "") for f in ("warehouse_latitude", "warehouse_longitude")]
        if data.get("warehouse_name") and not all(wh):
            raise forms.ValidationError(
                "Give the warehouse's latitude and longitude (trucks are routed to it)."
            )
        return {"steps": [n for _, n in used], "warehouse_name": data.get("warehouse_name", "").strip(),
                "warehouse_address": data.get("warehouse_address", "").strip(),
                "warehouse_latitude": data.get("warehouse_latitude"),
                "warehouse_longitude": data.get("warehouse_longitude")}  # fmt: skip
