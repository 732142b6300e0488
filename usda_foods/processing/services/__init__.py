"""Processing services: processors and their end-product schedules (``processors``), processor
inventory and its ledger: credits, end-product purchases and transfers (``inventory``)."""
