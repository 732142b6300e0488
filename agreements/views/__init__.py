"""Pages of the letters of agreement: letters (overview, detail, steps), templates, batches and
the public verify page."""
