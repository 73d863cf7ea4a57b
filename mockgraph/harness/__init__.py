"""The test harness: a live server in a thread, in-process interception, SDK credentials, the pytest plugin."""
