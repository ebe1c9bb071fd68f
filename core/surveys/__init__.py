"""Surveys: the mid-round check-in and the end-of-round survey, their questions, schedule,
answers and results.
"""
