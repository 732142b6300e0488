"""Purchasing models, each defined in its area. Django loads this module to register them."""

from purchasing.priority_items.models import (  # noqa: F401
    ConsensusRule,
    Endorsement,
    MenuCommitment,
    PriorityItem,
    SpecVersion,
)
from purchasing.records.models import (  # noqa: F401
    ClaimSummary,
    KeywordRule,
    LocalDefinition,
    PurchaseRecord,
    SpendSummary,
    VendorAlias,
    VendorSummary,
)
from purchasing.spend.models import Goal  # noqa: F401
