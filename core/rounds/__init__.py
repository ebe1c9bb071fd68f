"""Rounds and applications: a round's calendar and life, who applied, the organisers' decisions,
the applicant files, and telling every applicant where they stand.
"""
