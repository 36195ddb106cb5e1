"""The institutions service: the institution catalogue, training catalogues and units."""
