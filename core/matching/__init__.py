"""Matching: pair approved applicants across countries (the matcher and its graph algorithms),
explain why, and turn a proposal into published groups.
"""
