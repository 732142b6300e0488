"""USDA Foods models, one module per area; import them from here."""

from usda_foods.models.corrections import (  # noqa: F401
    CorrectionKind,
    CorrectionStatus,
    DataCorrection,
)
from usda_foods.models.entitlement import (  # noqa: F401
    DEMO_VALUE_CITATION,
    LUNCH_TOTAL_TOO_HIGH,
    MAX_LUNCHES_PER_YEAR,
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
    validate_quarter_cent,
    validate_school_year,
)
from usda_foods.models.ordering import (  # noqa: F401
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
    window_dates_outside_school_year,
)
from usda_foods.models.shipping import (  # noqa: F401
    AdjustmentStatus,
    PlanAdjustment,
    PlanStop,
    PlanTruck,
    ShipmentPlan,
)
