"""`python -m bench` (`make bench`): how fast the mock answers, side by side with a bare Flask app.

Every figure is printed next to a reference measured in the same run, because absolute times on a
shared machine are noisy and ratios are what the targets are about. The run ends with a "targets"
table and writes everything to `bench/results/latest.json`.
"""
