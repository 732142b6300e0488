"""USDA Foods models, each defined in its area (``entitlements``, ``ordering``, ``shipping``,
``corrections``, ``processing``, ``deliveries``). Django loads this module to register them; migrations refer to names here.
Code imports a model from its area's ``models``."""

from usda_foods.corrections.models import (  # noqa: F401
    CorrectionKind,
    CorrectionStatus,
    DataCorrection,
)
from usda_foods.deliveries.models import (  # noqa: F401, E402, I001
    DeliveryLine,
    ExpectedDelivery,
    FeeSchedule,
    Reason,
    Receipt,
    ReceiptLine,
)
from usda_foods.entitlements.models import (  # noqa: F401
    CENTS_PER_LUNCH,
    DEMO_VALUE_CITATION,
    DOLLARS,
    LUNCH_TOTAL_TOO_HIGH,
    MAX_LUNCHES_PER_YEAR,
    CitedValue,
    Drawdown,
    DrawdownKind,
    DrawdownStatus,
    Entitlement,
    LunchCategory,
    LunchCount,
    PerMealValue,
    ReimbursementRate,
    SchoolYearField,
    Section4Payment,
    validate_per_meal_value,
    validate_quarter_cent,
    validate_rate_dollars,
    validate_school_year,
    validate_section4_cents,
)
from usda_foods.ordering.models import (  # noqa: F401
    EDITABLE_STATUSES,
    MAX_NET_CASE_WEIGHT_LB,
    MAX_UNIT_PRICE,
    MIN_NET_CASE_WEIGHT_LB,
    WINDOW_OUTSIDE_YEAR,
    CatalogItem,
    FoodCategory,
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    OrderWindow,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
    WindowState,
)
from usda_foods.processing.models import (  # noqa: F401, E402
    EndProduct,
    EndProductFood,
    EndProductPurchase,
    EntryKind,
    InventoryEntry,
    InventoryTransfer,
    PassThrough,
    Processor,
    ProcessorInventory,
)
from usda_foods.shipping.models import (  # noqa: F401
    AdjustmentStatus,
    CarryOver,
    PlacementSettings,
    PlanAdjustment,
    PlanStop,
    PlanTruck,
    ShipmentPlan,
    StateWarehouse,
)
