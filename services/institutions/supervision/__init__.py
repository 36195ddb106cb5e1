"""Supervision (PLAN §二.(三).14): designations, class-start plans, inspections, ratings."""
