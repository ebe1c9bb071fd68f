"""Privacy: export everything stored about a member, or forget it."""
