"""The key-industry and general training catalogues (§二.(二).10 items 1-2) and the units."""
