"""Processing pages: processors and end products (``processors``), inventory (``inventory``)."""
