from tests.partners.supplier_fixtures import (  # noqa: F401
    delivery_site,
    farm,
    partner_b,
    partner_b_user,
    second_district,
    second_manager,
)
