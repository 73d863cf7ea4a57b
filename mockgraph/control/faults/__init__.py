"""Fault rules (CONTRACT §8): their format (`rules`) and how they meet requests (`injection`)."""
