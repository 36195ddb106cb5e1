"""The enrolment process (port 8002): workers, offerings, orders, claims, the special account."""
